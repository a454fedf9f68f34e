// What the API server adds to an object between etcd and its answer, beyond
// resourceVersion: its decoder runs the version's conversion and defaulting
// functions, and a few of them fill fields that protobuf storage does not
// keep or that the create strategy cleared before storing. Found by comparing
// every kind a real API server stored with what it returns
// (tests/k8s/api_server_decode_test.cc):
//   - apps StatefulSet: each spec.volumeClaimTemplates[] gets apiVersion "v1"
//     and kind "PersistentVolumeClaim" (conversion, kept from before 1.17;
//     the embedded TypeMeta is not in the protobuf message);
//   - v1 PersistentVolumeClaim and PersistentVolume: status.phase "Pending"
//     when empty (defaulting; the create strategy stores an empty status).
#pragma once

#include <string>
#include <string_view>

#include "k8s/object_renderer.h"

namespace ketcd::k8s {

// Whether objects of this kind have any of those.
bool HasReadConversions(std::string_view api_version, std::string_view kind);

// Applies those to a rendered object (kind and apiVersion at its top).
void ApplyReadConversions(Json& object);

// The same on the object's compact JSON text, text[start..] (as the
// renderers print it: no white space, kind and apiVersion first), so that
// the streaming renderer gives what ApplyReadConversions gives. False, with
// the text unchanged, for a shape only the object form handles.
bool ApplyReadConversionsToText(std::string_view api_version, std::string_view kind, std::string& text,
                                size_t start);

}  // namespace ketcd::k8s

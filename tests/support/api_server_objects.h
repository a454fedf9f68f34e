// A broad set of Kubernetes objects created through a real API server, so
// that what ketcd reads, rewrites or decrypts was written by the API server
// itself: workloads, every Service type, networking, RBAC, storage,
// admission, scheduling and a CRD with custom resources.
#pragma once

#include <string>

#include "support/kube_apiserver.h"
#include "util/status.h"

namespace ketcd::testing {

// Creates namespace `ns` and, in it or cluster-wide (names prefixed with
// `ns`), one or more objects of each kind; fails on the first refusal.
Status CreateObjectsOfEveryCommonKind(const KubeApiServer& server, const std::string& ns);

// Creates a CustomResourceDefinition GROUP/v1 KIND (resource PLURAL) whose
// spec takes any fields, and waits until its resources are served.
Status CreateCustomResourceDefinition(const KubeApiServer& server, const std::string& group,
                                      const std::string& kind, const std::string& plural, bool namespaced);

}  // namespace ketcd::testing

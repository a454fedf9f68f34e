// Commands that start or stop etcd on a host, given by the operator as
// templates (--start-cmd, --stop-cmd) so one tool drives systemd, static
// pods or ssh alike. Placeholders:
//   {name} {peer_url} {client_url} {initial_cluster} {initial_cluster_state}
// Values come from etcd (member names, URLs it reports), so each is put in
// single quotes, never interpreted by the shell: write {name}, not '{name}'
// or "{name}" (the shell joins 'a''b' into ab, so --name={name} works).
#pragma once

#include <map>
#include <string>

#include "util/status.h"

namespace ketcd::cluster {

using Placeholders = std::map<std::string, std::string>;

// The template with every {key} replaced by its value, single-quoted;
// kInvalidArgument names an unknown placeholder.
Result<std::string> ExpandCommand(const std::string& command_template, const Placeholders& values);

// Runs `command` with /bin/sh -c and waits for it; kFailed with its exit
// status and output tail when it does not exit 0.
Status RunHostCommand(const std::string& command);

// `value` as one shell word: in single quotes, each ' as '\''.
std::string ShellQuote(const std::string& value);

// Member names usable in commands and manifests.
bool IsSafeMemberName(const std::string& name);

}  // namespace ketcd::cluster

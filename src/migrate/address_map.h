// The address rewriting of one migration: one CidrMapping per IP family
// (--from/--to pairs; a dual-stack cluster may move one family or both).
// Every stored address or CIDR goes through here, so the rules are the same
// for Services, Nodes, ConfigMaps and custom resources:
//   inside a --from range      -> mapped, keeping its offset
//   inside the matching --to   -> already migrated (an interrupted apply
//                                 re-run), kept
//   another family, or no address at all ("None", "") -> kept
//   same family, anywhere else -> refused: the operator's --from is wrong
//                                 or the cluster holds addresses we would
//                                 leave behind.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "migrate/cidr.h"
#include "util/status.h"

namespace ketcd::migrate {

class AddressMap {
 public:
  // Pairs from[i] -> to[i]; at most one pair per family; no range of one
  // pair may overlap another's.
  static Result<AddressMap> Create(const std::vector<Cidr>& from, const std::vector<Cidr>& to);

  const std::vector<CidrMapping>& mappings() const { return mappings_; }
  // The mapping of the address's family, if that family moves.
  const CidrMapping* ForFamily(bool v6) const;

  // An address ("10.96.0.10") or nullopt when it stays as it is.
  Result<std::optional<std::string>> MapAddress(std::string_view text) const;
  // A CIDR ("10.244.3.0/24"; the whole --from range maps to --to).
  Result<std::optional<std::string>> MapCidr(std::string_view text) const;
  // Either, by its form: for address-like tokens in configuration text.
  Result<std::optional<std::string>> MapToken(std::string_view text) const;

 private:
  std::vector<CidrMapping> mappings_;
};

}  // namespace ketcd::migrate

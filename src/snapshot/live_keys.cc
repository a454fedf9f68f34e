#include "snapshot/live_keys.h"

#include <array>
#include <vector>

#include "snapshot/backend_layout.h"
#include "snapshot/key_blocks.h"
#include "snapshot/key_bucket_walk.h"

namespace ketcd::snapshot {
namespace {

// The newest revision of each key one stretch of the walk has seen, in the
// order keys were first seen (so that reading them back goes through memory
// in order), found through a flat open-addressing table of 8-byte slots
// (part of the key's hash and where its entry is: the table stays small
// enough for the caches, no allocation per key), and, when asked for, the
// revisions it replaced.
class NewestPerKey {
 public:
  struct Entry {
    uint64_t hash;
    uint64_t key_offset;
    uint32_t key_size;
    uint32_t value_size;  // 0 for a deletion
    bool tombstone;
  };
  struct Replaced {
    uint32_t entry;  // whose key it is
    uint32_t value_size;
  };

  explicit NewestPerKey(bool keep_replaced) : keep_replaced_(keep_replaced), slots_(kFirstSlots, kFree) {}

  // Records a revision newer than every one recorded before; false when
  // the key is one more than the table can number.
  bool Record(std::string_view key, uint32_t value_size, bool tombstone) {
    if (2 * (entries_.size() + 1) > slots_.size()) Grow();
    const uint64_t hash = std::hash<std::string_view>()(key);
    uint64_t& slot = slots_[SlotOf(hash, key)];
    if (slot == kFree) {
      if (entries_.size() >= kIndexMask) return false;
      slot = (hash & kTagMask) | entries_.size();
      entries_.push_back({hash, keys_.Copy(key), static_cast<uint32_t>(key.size()), 0, false});
    } else if (keep_replaced_) {
      replaced_.push_back({static_cast<uint32_t>(slot & kIndexMask), entries_[slot & kIndexMask].value_size});
    }
    Entry& entry = entries_[slot & kIndexMask];
    entry.value_size = tombstone ? 0 : value_size;
    entry.tombstone = tombstone;
    return true;
  }

  bool Contains(uint64_t hash, std::string_view key) const { return slots_[SlotOf(hash, key)] != kFree; }

  std::string_view KeyOf(const Entry& entry) const { return keys_.View(entry.key_offset, entry.key_size); }
  const std::vector<Entry>& entries() const { return entries_; }
  const std::vector<Replaced>& replaced() const { return replaced_; }

 private:
  static constexpr size_t kFirstSlots = size_t{1} << 16;
  static constexpr uint64_t kFree = ~uint64_t{0};
  static constexpr uint64_t kIndexMask = 0xFFFFFFFF, kTagMask = ~kIndexMask;

  // Where the slot of `key` is, or the free one where it would go.
  size_t SlotOf(uint64_t hash, std::string_view key) const {
    const size_t mask = slots_.size() - 1;
    for (size_t at = hash & mask;; at = (at + 1) & mask) {
      const uint64_t slot = slots_[at];
      if (slot == kFree) return at;
      if ((slot & kTagMask) == (hash & kTagMask)) {
        const Entry& entry = entries_[slot & kIndexMask];
        if (KeyOf(entry) == key) return at;
      }
    }
  }

  void Grow() {
    slots_.assign(slots_.size() * 2, kFree);
    const size_t mask = slots_.size() - 1;
    for (size_t i = 0; i < entries_.size(); ++i) {
      size_t at = entries_[i].hash & mask;
      while (slots_[at] != kFree) at = (at + 1) & mask;
      slots_[at] = (entries_[i].hash & kTagMask) | i;
    }
  }

  const bool keep_replaced_;
  KeyBlocks keys_;
  std::vector<Entry> entries_;
  std::vector<uint64_t> slots_;  // a power of two, at most half used
  std::vector<Replaced> replaced_;
};

}  // namespace

Status ForEachLiveKey(const bolt::Database& db, const KeyScope& scope,
                      const std::function<void(const LiveKey&)>& on_key,
                      const std::function<void(const LiveKey&)>& on_old) {
  auto bucket = db.Bucket(db.root(), kKeyBucket);
  if (!bucket.ok()) return DataLoss("not an etcd backend: " + bucket.status().message());
  std::array<NewestPerKey, 2> stretches{NewestPerKey(on_old != nullptr), NewestPerKey(on_old != nullptr)};
  KETCD_RETURN_IF_ERROR(WalkKeyBucket(db, *bucket, [&](int stretch, const StoredRevision& revision) {
    if (scope.Contains(revision.key) &&
        !stretches[stretch].Record(revision.key, StoredValueSize(revision.stored), revision.revision.tombstone)) {
      return Failed("more than 4 billion keys in one file");
    }
    return Status::Ok();
  }));
  auto report = [&](const NewestPerKey& stretch, const NewestPerKey::Entry& entry, bool replaced) {
    const LiveKey key{stretch.KeyOf(entry), entry.value_size};
    if (!replaced && !entry.tombstone) {
      on_key(key);
    } else if (on_old) {
      on_old(key);
    }
  };
  // Stretch 1 holds the newer revisions: a key it holds too was replaced.
  for (const NewestPerKey::Entry& entry : stretches[0].entries()) {
    report(stretches[0], entry, stretches[1].Contains(entry.hash, stretches[0].KeyOf(entry)));
  }
  for (const NewestPerKey::Entry& entry : stretches[1].entries()) report(stretches[1], entry, false);
  if (on_old) {
    for (const NewestPerKey& stretch : stretches) {
      for (const NewestPerKey::Replaced& old : stretch.replaced()) {
        on_old({stretch.KeyOf(stretch.entries()[old.entry]), old.value_size});
      }
    }
  }
  return Status::Ok();
}

}  // namespace ketcd::snapshot

#!/usr/bin/env bash
# Packages every published crate of the workspace and verifies each one by building it from its
# .crate against the other crates' .crate files (`cargo package --workspace`), as crates.io will
# see them. Only the crates marked `publish = false` are left out. Extra arguments go to cargo
# (e.g. --allow-dirty).
#
# The verification builds in the workspace's target directory, so it reuses the dependencies
# already built there and takes seconds rather than minutes. For that to be honest, two things
# cargo keeps from an earlier run go first, because cargo takes a registry crate of the same name
# and version to be unchanged (as it is on crates.io):
# - the copies of this workspace's .crate files that cargo unpacked, as dependencies of the
#   others, into $CARGO_HOME/registry/src/-<hash of the temporary registry>/; and
# - the fingerprints of what was built from those copies in the target directory (found by
#   their dep-info, which names the copies), so that it is built again from the new ones.
# Without this, a second run verifies each crate against the first run's code of the others.
set -euo pipefail
cd "$(dirname "$0")/.."

# One line per workspace crate: "publish <name>-<version>" or "exclude <name>", then the target
# directory.
metadata=$(cargo metadata --no-deps --format-version 1 | python3 -c '
import json, sys
meta = json.load(sys.stdin)
for p in meta["packages"]:
    if p["publish"] == []:
        print("exclude", p["name"])
    else:
        print("publish", p["name"] + "-" + p["version"])
print("target", meta["target_directory"])
')
published=$(awk '$1 == "publish" { print $2 }' <<<"$metadata")
excludes=$(awk '$1 == "exclude" { printf " --exclude %s", $2 }' <<<"$metadata")
target=$(awk '$1 == "target" { print $2 }' <<<"$metadata")

cargo_home=${CARGO_HOME:-$HOME/.cargo}
for package in $published; do
    # `-*`: the directories of local registries; crates.io's (`index.crates.io-*`) stay.
    rm -rf "$cargo_home"/registry/src/-*/"$package"
    # The dep-info (deps/<crate>-<hash>.d) of each unit built from such a copy, and the
    # fingerprint directory of the same hash.
    for depinfo in $(grep -l -F "/registry/src/-" "$target"/debug/deps/*.d 2>/dev/null | xargs -r grep -l -F "/$package/" || true); do
        hash=${depinfo##*-}
        rm -rf "$target"/debug/.fingerprint/*-"${hash%.d}"
    done
done

# shellcheck disable=SC2086 # $excludes is a list of arguments.
cargo package --workspace $excludes "$@"

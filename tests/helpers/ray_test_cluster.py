"""A two-node Ray cluster on 127.0.0.1 for dagtest's tests and benchmark (tests/helpers/ray-cluster.ts).

`ray start --node-ip-address 127.0.0.1` would not do: on Linux Ray replaces a loopback address
by the machine's outward one (found by "connecting" a UDP socket to 8.8.8.8). With
RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0 Ray keeps 127.0.0.1, but then `ray start` refuses a second
node, so the two nodes are started here with Ray's own test helper (ray.cluster_utils.Cluster),
as Ray's own test suite does: a head and a second node with the custom resource `second_worker`,
one CPU each. Prints {"address": ...} once both are up; shuts the cluster down on stdin EOF or
SIGTERM (and Ray's reaper kills what is left if this process is killed).

usage: python ray_test_cluster.py TEMP_DIR
"""
import json
import os
import signal
import sys

os.environ["RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER"] = "0"
os.environ["RAY_USAGE_STATS_ENABLED"] = "0"
os.environ.pop("RAY_ADDRESS", None)
# Ray's temp root (sessions, sockets, the "current cluster" file): ours, never the shared /tmp/ray.
os.environ["RAY_TMPDIR"] = sys.argv[1]

from ray.cluster_utils import Cluster  # noqa: E402


def main():
    common = {"node_ip_address": "127.0.0.1", "num_cpus": 1, "memory": 1536 * 1024 ** 2,
              "object_store_memory": 150 * 1024 ** 2}
    head = dict(common, include_dashboard=False, dashboard_host="127.0.0.1")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    cluster = Cluster(initialize_head=True, head_node_args=head)
    try:
        cluster.add_node(resources={"second_worker": 100}, **common)
        cluster.wait_for_nodes()
        print(json.dumps({"address": cluster.address}), flush=True)
        sys.stdin.read()
    finally:
        cluster.shutdown()


if __name__ == "__main__":
    main()

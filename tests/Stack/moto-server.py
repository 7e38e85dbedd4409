# Starts moto's server (the same arguments as moto_server) holding only the AWS managed IAM policies named in
# CRUDDUR_MOTO_AWS_MANAGED_POLICIES (comma-separated names; '*' for every one moto has). Moto builds the AWS managed
# policies it holds again whenever IAM is first used after a reset: all 1,485 of them are 4 MB of JSON, 0.5-1 s of CPU
# for every test that resets the stack, while the tests attach or read only a handful.
import json
import os
import sys

import moto.iam.models as iam

names = os.environ.get("CRUDDUR_MOTO_AWS_MANAGED_POLICIES", "*")
if names != "*":
    wanted = {n for n in names.split(",") if n}
    every = json.loads(iam.aws_managed_policies_data)
    unknown = sorted(wanted - every.keys())
    if unknown:
        sys.exit(f"moto has no AWS managed policy named {', '.join(unknown)}")
    # Read by IAMBackend at every (re)start of the backend.
    iam.aws_managed_policies_data = json.dumps({n: p for n, p in every.items() if n in wanted})

from moto.server import main  # noqa: E402 (after the policies are narrowed)

main()

"""Seeds a moto server with a large AWS account for the scheduled-sweep benchmark.

Usage: seed_large_account.py ENDPOINT [--buckets 2000] [--roles 1000] ... (see --help)

Run it with the project's venv Python (`.venv/bin/python`, which has boto3 through moto[server]).
Credentials are `testing`, the region us-east-1, the account moto's 123456789012.

What it creates (defaults), and which part of it a GenAI scope should find:
- KMS keys: 100; the first 30 are named by GenAI resources (notebooks, training jobs, buckets,
  SageMaker log groups), the other 70 by nothing.
- IAM roles: 1,000. 100 SageMaker execution roles (trusted by sagemaker.amazonaws.com, used by the
  notebooks, the training jobs and Bedrock's invocation logging), 60 roles whose inline policy
  grants `bedrock:*` / `sagemaker:*` actions, and 840 application roles (half with an unrelated
  inline policy, half with none).
- S3 buckets: 2,000. 150 referenced by GenAI resources: 149 training-data buckets (the input and
  output of the training jobs) and the Bedrock invocation-log bucket. 20 of those are tagged
  `genai-evidence=exclude`; 20 of the 1,850 other buckets are tagged `genai-evidence=include`.
  One of the others holds the CloudTrail trail's logs.
- SageMaker: 500 notebook instances (every other one with a KmsKeyId) and 200 training jobs
  (RoleArn, an S3 input channel, an S3 output path, every other one with KMS keys).
- CloudWatch log groups: 300, of which `/aws/sagemaker/...` groups, the Bedrock invocation-log
  group, and `/aws/lambda/...` application groups.
- Bedrock model invocation logging to the log bucket and the log group; one CloudTrail trail,
  logging.

Nothing else (no DynamoDB table, no evidence bucket): the benchmark runner creates those.

The work runs on a thread pool (moto serves concurrent requests). It prints progress and counts,
then, as its last line, `summary: {json}` with the seeded sizes for the runner to read.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterable

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError
from botocore.parsers import ResponseParserError

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"

INVOCATION_LOG_BUCKET = "genai-invocation-logs"
INVOCATION_LOG_GROUP = "/aws/bedrock/model-invocation-logs"
TRAIL_BUCKET = "org-cloudtrail-logs"
TRAIL_NAME = "org-trail"


SIZES = (
    "buckets",
    "referenced_buckets",
    "include_tagged",
    "exclude_tagged",
    "roles",
    "execution_roles",
    "genai_policy_roles",
    "notebooks",
    "training_jobs",
    "keys",
    "referenced_keys",
    "log_groups",
    "sagemaker_log_groups",
)


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("endpoint", help="moto's URL, e.g. http://127.0.0.1:5055")
    p.add_argument("--buckets", type=int, default=2000, help="all S3 buckets (default 2000)")
    p.add_argument(
        "--referenced-buckets",
        type=int,
        default=150,
        help="buckets named by GenAI resources, including the invocation-log bucket (default 150)",
    )
    p.add_argument("--include-tagged", type=int, default=20, help="other buckets tagged include (default 20)")
    p.add_argument(
        "--exclude-tagged", type=int, default=20, help="referenced buckets tagged exclude (default 20)"
    )
    p.add_argument("--roles", type=int, default=1000, help="all IAM roles (default 1000)")
    p.add_argument("--execution-roles", type=int, default=100, help="SageMaker execution roles (default 100)")
    p.add_argument(
        "--genai-policy-roles",
        type=int,
        default=60,
        help="roles whose inline policy grants bedrock:*/sagemaker:* (default 60)",
    )
    p.add_argument("--notebooks", type=int, default=500, help="notebook instances (default 500)")
    p.add_argument("--training-jobs", type=int, default=200, help="training jobs (default 200)")
    p.add_argument("--keys", type=int, default=100, help="KMS keys (default 100)")
    p.add_argument("--referenced-keys", type=int, default=30, help="keys named by GenAI resources (default 30)")
    p.add_argument("--log-groups", type=int, default=300, help="log groups (default 300)")
    p.add_argument("--sagemaker-log-groups", type=int, default=40, help="/aws/sagemaker/... groups (default 40)")
    p.add_argument(
        "--scale", type=float, default=1.0, help="multiply every size above by this (default 1)"
    )
    p.add_argument("--tag-key", default="genai-evidence", help="the scope tag's key (default genai-evidence)")
    p.add_argument("--threads", type=int, default=16, help="concurrent requests (default 16)")
    args = p.parse_args(argv)
    if args.scale <= 0:
        p.error("--scale must be positive")
    for name in SIZES:
        setattr(args, name, round(getattr(args, name) * args.scale))
    checks = [
        (args.referenced_buckets >= 2, "--referenced-buckets must be at least 2"),
        (args.buckets >= args.referenced_buckets + args.include_tagged + 1, "--buckets too small"),
        (args.exclude_tagged <= args.referenced_buckets - 1, "--exclude-tagged exceeds the referenced buckets"),
        (args.roles >= args.execution_roles + args.genai_policy_roles, "--roles too small"),
        (args.execution_roles >= 1, "--execution-roles must be at least 1"),
        (args.keys >= args.referenced_keys >= 1, "--referenced-keys must be in 1..=--keys"),
        (args.log_groups >= args.sagemaker_log_groups + 1, "--log-groups too small"),
        (args.threads >= 1, "--threads must be at least 1"),
    ]
    for ok, message in checks:
        if not ok:
            p.error(message)
    return args


class Seeder:
    """Boto3 clients on moto (thread-safe once built) and a thread pool."""

    def __init__(self, endpoint: str, threads: int) -> None:
        session = boto3.session.Session(
            aws_access_key_id="testing", aws_secret_access_key="testing", region_name=REGION
        )
        config = Config(
            max_pool_connections=threads,
            retries={"max_attempts": 5, "mode": "standard"},
            s3={"addressing_style": "path"},
        )
        self.clients = {
            name: session.client(name, endpoint_url=endpoint, config=config)
            for name in ("s3", "iam", "kms", "sagemaker", "logs", "bedrock", "cloudtrail")
        }
        self.pool = ThreadPoolExecutor(max_workers=threads)
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        return self.clients[name]

    def run_all(self, label: str, fn: Callable[[Any], int], items: Iterable[Any]) -> list[Any]:
        """Runs `fn` (returning the number of API calls it made) on every item, in parallel."""
        started = time.monotonic()
        items = list(items)
        calls = sum(self.pool.map(fn, items))
        self.calls += calls
        print(f"  {label:<28} {len(items):>6}  ({calls} calls, {time.monotonic() - started:.1f} s)", flush=True)
        return items


# Error codes that mean "a retry found the work already done" (the first attempt reached moto).
ALREADY_DONE = {
    "EntityAlreadyExists",
    "BucketAlreadyOwnedByYou",
    "ResourceAlreadyExistsException",
    "ResourceInUse",
    "ValidationException",  # SageMaker: "... already exists" on a retried create
}


def call(fn: Callable[..., Any], **params: Any) -> Any:
    """Calls `fn`, retrying moto's HTTP 500s (some moto backends are not thread-safe and fail
    with e.g. "dictionary changed size during iteration" under concurrent requests, answered with
    an HTML page that botocore cannot parse). After a retry, "already exists" counts as done."""
    delay = 0.05
    for attempt in range(10):
        try:
            return fn(**params)
        except ResponseParserError:
            pass
        except ClientError as e:
            status = e.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
            code = e.response.get("Error", {}).get("Code", "")
            if attempt > 0 and code in ALREADY_DONE:
                return None
            if status < 500:
                raise
        time.sleep(delay)
        delay = min(delay * 2, 1.0)
    return fn(**params)


def key_arn(key_id: str) -> str:
    return f"arn:aws:kms:{REGION}:{ACCOUNT_ID}:key/{key_id}"


def role_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:role/{name}"


def trust(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}],
        }
    )


def seed(args: argparse.Namespace) -> dict[str, Any]:
    s = Seeder(args.endpoint, args.threads)

    # KMS keys first: the other resources name them.
    def create_key(i: int) -> str:
        referenced = i < args.referenced_keys
        out = call(s.kms.create_key,
            Description=("genai data key " if referenced else "application key ") + str(i),
            Tags=[{"TagKey": "bench", "TagValue": "genai" if referenced else "app"}],
        )
        return out["KeyMetadata"]["KeyId"]

    started = time.monotonic()
    key_ids = list(s.pool.map(create_key, range(args.keys)))
    s.calls += len(key_ids)

    def rotate(i: int) -> int:  # a third of the keys rotate
        if i % 3 == 0:
            call(s.kms.enable_key_rotation, KeyId=key_ids[i])
            return 1
        return 0

    s.run_all("KMS keys", rotate, range(args.keys))
    print(f"    (created in {time.monotonic() - started:.1f} s)", flush=True)
    ref_keys = [key_arn(k) for k in key_ids[: args.referenced_keys]]

    # IAM roles.
    exec_roles = [f"genai-sagemaker-exec-{i:03d}" for i in range(args.execution_roles)]
    genai_roles = [f"genai-user-role-{i:03d}" for i in range(args.genai_policy_roles)]
    app_roles = [f"app-role-{i:04d}" for i in range(args.roles - len(exec_roles) - len(genai_roles))]

    def create_role(item: tuple[str, str]) -> int:
        kind, name = item
        service = "sagemaker.amazonaws.com" if kind == "exec" else "lambda.amazonaws.com"
        call(s.iam.create_role, RoleName=name, AssumeRolePolicyDocument=trust(service), Path="/")
        calls = 1
        policy: dict[str, Any] | None = None
        if kind == "exec":
            policy = {
                "Version": "2012-10-17",
                "Statement": [
                    {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
                     "Resource": ["arn:aws:s3:::genai-train-*", "arn:aws:s3:::genai-train-*/*"]},
                    {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": "*"},
                ],
            }
        elif kind == "genai":
            n = int(name.rsplit("-", 1)[1])
            actions = [["bedrock:*"], ["sagemaker:*"], ["bedrock:InvokeModel", "sagemaker:CreateTrainingJob"]][n % 3]
            policy = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": actions, "Resource": "*"}]}
        elif int(name.rsplit("-", 1)[1]) % 2 == 0:
            policy = {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": ["dynamodb:GetItem", "s3:GetObject"], "Resource": "*"}],
            }
        if policy is not None:
            call(s.iam.put_role_policy, RoleName=name, PolicyName="inline", PolicyDocument=json.dumps(policy))
            calls += 1
        return calls

    s.run_all(
        "IAM roles",
        create_role,
        [("exec", n) for n in exec_roles] + [("genai", n) for n in genai_roles] + [("app", n) for n in app_roles],
    )

    # S3 buckets.
    train_buckets = [f"genai-train-{i:04d}" for i in range(args.referenced_buckets - 1)]
    other_count = args.buckets - args.referenced_buckets - 1  # minus the trail bucket
    app_buckets = [f"app-bucket-{i:05d}" for i in range(other_count)]
    excluded = set(train_buckets[: args.exclude_tagged])
    included = set(app_buckets[: args.include_tagged])

    def create_bucket(item: tuple[str, int]) -> int:
        name, i = item
        call(s.s3.create_bucket, Bucket=name)
        calls = 1
        genai = name.startswith("genai-")
        tag = "exclude" if name in excluded else "include" if name in included else None
        if tag:
            call(s.s3.put_bucket_tagging, Bucket=name, Tagging={"TagSet": [{"Key": args.tag_key, "Value": tag}]})
            calls += 1
        if genai:
            if i % 2 == 0:
                default = {"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": ref_keys[i % len(ref_keys)]}
            else:
                default = {"SSEAlgorithm": "AES256"}
            call(s.s3.put_bucket_encryption,
                Bucket=name,
                ServerSideEncryptionConfiguration={
                    "Rules": [{"ApplyServerSideEncryptionByDefault": default, "BucketKeyEnabled": i % 2 == 0}]
                },
            )
            calls += 1
            if i % 3 == 0:
                call(s.s3.put_public_access_block,
                    Bucket=name,
                    PublicAccessBlockConfiguration={
                        "BlockPublicAcls": True, "IgnorePublicAcls": True,
                        "BlockPublicPolicy": True, "RestrictPublicBuckets": True,
                    },
                )
                call(s.s3.put_bucket_policy,
                    Bucket=name,
                    Policy=json.dumps({
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": {"AWS": "*"},
                            "Action": "s3:*",
                            "Resource": [f"arn:aws:s3:::{name}", f"arn:aws:s3:::{name}/*"],
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }],
                    }),
                )
                calls += 2
        return calls

    bucket_items = [(n, i) for i, n in enumerate(train_buckets + [INVOCATION_LOG_BUCKET])]
    bucket_items += [(n, i) for i, n in enumerate(app_buckets + [TRAIL_BUCKET])]
    s.run_all("S3 buckets", create_bucket, bucket_items)

    # CloudWatch log groups.
    sm_groups = ["/aws/sagemaker/TrainingJobs", "/aws/sagemaker/NotebookInstances"]
    sm_groups += [f"/aws/sagemaker/Endpoints/genai-endpoint-{i:03d}" for i in range(args.sagemaker_log_groups - 2)]
    app_groups = [f"/aws/lambda/app-function-{i:04d}" for i in range(args.log_groups - len(sm_groups) - 1)]

    def create_log_group(item: tuple[str, int]) -> int:
        name, i = item
        params: dict[str, Any] = {"logGroupName": name}
        if name.startswith("/aws/sagemaker/") and i % 2 == 0:
            params["kmsKeyId"] = ref_keys[i % len(ref_keys)]
        call(s.logs.create_log_group, **params)
        if name.startswith("/aws/sagemaker/") or name == INVOCATION_LOG_GROUP or i % 2 == 0:
            call(s.logs.put_retention_policy, logGroupName=name, retentionInDays=365 if i % 2 == 0 else 30)
            return 2
        return 1

    groups = sm_groups + [INVOCATION_LOG_GROUP] + app_groups
    s.run_all("log groups", create_log_group, [(n, i) for i, n in enumerate(groups)])

    # SageMaker notebook instances and training jobs.
    def create_notebook(i: int) -> int:
        params: dict[str, Any] = {
            "NotebookInstanceName": f"genai-notebook-{i:04d}",
            "InstanceType": "ml.t3.medium",
            "RoleArn": role_arn(exec_roles[i % len(exec_roles)]),
            "DirectInternetAccess": "Disabled" if i % 4 == 0 else "Enabled",
            "RootAccess": "Disabled" if i % 5 == 0 else "Enabled",
        }
        if i % 2 == 0:
            params["KmsKeyId"] = ref_keys[i % len(ref_keys)]
        call(s.sagemaker.create_notebook_instance, **params)
        return 1

    s.run_all("notebook instances", create_notebook, range(args.notebooks))

    def create_training_job(j: int) -> int:
        source = train_buckets[(2 * j) % len(train_buckets)]
        target = train_buckets[(2 * j + 1) % len(train_buckets)]
        output: dict[str, Any] = {"S3OutputPath": f"s3://{target}/output/job-{j:04d}/"}
        resources: dict[str, Any] = {"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 50}
        if j % 2 == 0:
            output["KmsKeyId"] = ref_keys[j % len(ref_keys)]
            resources["VolumeKmsKeyId"] = ref_keys[(j + 1) % len(ref_keys)]
        call(s.sagemaker.create_training_job,
            TrainingJobName=f"genai-training-{j:04d}",
            AlgorithmSpecification={
                "TrainingImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/pytorch-training:2.3-cpu-py311",
                "TrainingInputMode": "File",
            },
            RoleArn=role_arn(exec_roles[j % len(exec_roles)]),
            InputDataConfig=[{
                "ChannelName": "train",
                "DataSource": {"S3DataSource": {
                    "S3DataType": "S3Prefix", "S3Uri": f"s3://{source}/train/",
                    "S3DataDistributionType": "FullyReplicated",
                }},
            }],
            OutputDataConfig=output,
            ResourceConfig=resources,
            StoppingCondition={"MaxRuntimeInSeconds": 86400},
            EnableInterContainerTrafficEncryption=j % 3 == 0,
            EnableNetworkIsolation=j % 4 == 0,
        )
        return 1

    s.run_all("training jobs", create_training_job, range(args.training_jobs))

    # Account-level: Bedrock invocation logging and CloudTrail.
    call(s.bedrock.put_model_invocation_logging_configuration,
        loggingConfig={
            "cloudWatchConfig": {"logGroupName": INVOCATION_LOG_GROUP, "roleArn": role_arn(exec_roles[0])},
            "s3Config": {"bucketName": INVOCATION_LOG_BUCKET, "keyPrefix": "bedrock/"},
            "textDataDeliveryEnabled": True,
            "imageDataDeliveryEnabled": True,
            "embeddingDataDeliveryEnabled": True,
        }
    )
    call(s.cloudtrail.create_trail,
        Name=TRAIL_NAME, S3BucketName=TRAIL_BUCKET, IsMultiRegionTrail=True, EnableLogFileValidation=True
    )
    call(s.cloudtrail.start_logging, Name=TRAIL_NAME)
    s.calls += 3
    print("  Bedrock invocation logging, CloudTrail trail: 1 each (3 calls)", flush=True)
    s.pool.shutdown()

    return {
        "buckets": args.buckets,
        "referencedBuckets": args.referenced_buckets,
        "includeTaggedBuckets": args.include_tagged,
        "excludeTaggedBuckets": args.exclude_tagged,
        "roles": args.roles,
        "executionRoles": args.execution_roles,
        "genaiPolicyRoles": args.genai_policy_roles,
        "notebookInstances": args.notebooks,
        "trainingJobs": args.training_jobs,
        "kmsKeys": args.keys,
        "referencedKmsKeys": args.referenced_keys,
        "logGroups": args.log_groups,
        "sagemakerLogGroups": args.sagemaker_log_groups,
        "trails": 1,
        "tagKey": args.tag_key,
        "scale": args.scale,
        "seedCalls": s.calls,
    }


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    print(f"seeding {args.endpoint} with {args.threads} threads", flush=True)
    started = time.monotonic()
    summary = seed(args)
    summary["seedSeconds"] = round(time.monotonic() - started, 1)
    print(f"seeded in {summary['seedSeconds']} s ({summary['seedCalls']} calls)", flush=True)
    print("summary: " + json.dumps(summary, sort_keys=True), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

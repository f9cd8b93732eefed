"""Runs moto on 127.0.0.1 for the project's tests and demo.

It binds a free port itself and prints one line, `listening on http://127.0.0.1:PORT`, once it
serves. It stops when its standard input reaches end of file, so a parent that holds the pipe
(a test process, the demo) cannot leave it running: when the parent exits, moto exits too.

Two gaps of moto 5.2.5 in AWS Config items are filled here, in AWS's documented shape:
- there is no `ServerSideEncryptionConfiguration` in `supplementaryConfiguration`, although AWS
  Config records it (aws-config-resource-schema, AWS::S3::Bucket); without it every bucket read
  through Config would look unencrypted;
- in items of S3 buckets, IAM roles and IAM managed policies, `configurationItemCaptureTime` and
  `resourceCreationTime` are Python `str(datetime)` text ("2026-11-23 12:22:23+00:00"), which no
  SDK accepts; the API returns epoch seconds.
"""

import datetime
import sys

from moto.iam.models import ManagedPolicy, Role
from moto.s3.models import FakeBucket
from moto.server import ThreadedMotoServer

_moto_to_config_dict = FakeBucket.to_config_dict


def _epoch_seconds(value):  # type: ignore[no-untyped-def]
    if isinstance(value, str):
        try:
            return datetime.datetime.fromisoformat(value).timestamp()
        except ValueError:
            return value
    return value


def _to_config_dict(self):  # type: ignore[no-untyped-def]
    item = _moto_to_config_dict(self)
    for key in ("configurationItemCaptureTime", "resourceCreationTime"):
        item[key] = _epoch_seconds(item.get(key))
    encryption = getattr(self, "encryption", None)
    if encryption:
        rules = encryption.get("Rule")
        rules = rules if isinstance(rules, list) else [rules]
        item["supplementaryConfiguration"]["ServerSideEncryptionConfiguration"] = {
            "rules": [
                {
                    "applyServerSideEncryptionByDefault": {
                        "sseAlgorithm": rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"],
                        "kmsMasterKeyID": rule["ApplyServerSideEncryptionByDefault"].get("KMSMasterKeyID"),
                    },
                    "bucketKeyEnabled": str(rule.get("BucketKeyEnabled", "false")).lower() == "true",
                }
                for rule in rules
                if rule
            ]
        }
    return item


FakeBucket.to_config_dict = _to_config_dict


def _with_epoch_timestamps(cls):  # type: ignore[no-untyped-def]
    original = cls.to_config_dict

    def to_config_dict(self):  # type: ignore[no-untyped-def]
        item = original(self)
        for key in ("configurationItemCaptureTime", "resourceCreationTime"):
            item[key] = _epoch_seconds(item.get(key))
        return item

    cls.to_config_dict = to_config_dict


_with_epoch_timestamps(Role)
_with_epoch_timestamps(ManagedPolicy)


def main() -> None:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    print(f"listening on http://{host}:{port}", flush=True)
    try:
        sys.stdin.read()
    except KeyboardInterrupt:
        pass
    server.stop()


if __name__ == "__main__":
    main()

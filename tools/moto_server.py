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

Bedrock responses get the same treatment: moto writes model and customization-job times as
"2026-11-23 13:29:16" and agent/knowledge-base times as epoch numbers, where the Bedrock and
Bedrock Agents APIs send ISO 8601 date-time strings ("2026-11-23T13:29:16Z").

KMS keys can be created with a fixed key id, so seeded keys match the ids the sample events name:
CreateKey with the tag `_custom_key_id_` (moto 5.2.5 only draws random ids) creates the key under
that id; the tag itself is not kept.

Two read gaps are filled the way AWS answers:
- GetAccountAuthorizationDetails lists customer managed policies without `PolicyName` and
  `PolicyId` (moto's policy objects call them `name` and `id`);
- GetAgent takes the agent id from the second-to-last path segment, which for the SDK's
  `GET /agents/{agentId}` is "agents": it is read from the last segment.
"""

import datetime
import functools
import json
import sys
from urllib.parse import unquote

from moto.bedrock.models import CustomModel, ModelCustomizationJob
from moto.bedrockagent.models import Agent, KnowledgeBase
from moto.bedrockagent.responses import AgentsforBedrockResponse
from moto.iam.models import ManagedPolicy, Role
from moto.kms.exceptions import AlreadyExistsException
from moto.kms.models import KmsBackend
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


def _iso8601(value):  # type: ignore[no-untyped-def]
    if isinstance(value, (int, float)):
        return datetime.datetime.fromtimestamp(value, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    if isinstance(value, str) and " " in value:
        try:
            parsed = datetime.datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return value
        return parsed.strftime("%Y-%m-%dT%H:%M:%SZ")
    return value


def _iso_attributes_after_init(cls, names):  # type: ignore[no-untyped-def]
    original = cls.__init__

    @functools.wraps(original)
    def __init__(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        for name in names:
            if hasattr(self, name):
                setattr(self, name, _iso8601(getattr(self, name)))

    cls.__init__ = __init__


def _iso_keys_when_serialised(cls, method, keys):  # type: ignore[no-untyped-def]
    original = getattr(cls, method)

    @functools.wraps(original)
    def serialise(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        out = original(self, *args, **kwargs)
        for key in keys:
            if key in out:
                out[key] = _iso8601(out[key])
        return out

    setattr(cls, method, serialise)


_iso_attributes_after_init(ModelCustomizationJob, ("creation_time", "last_modified_time", "end_time"))
_iso_attributes_after_init(CustomModel, ("creation_time",))
for _cls in (Agent, KnowledgeBase):
    for _method in ("to_dict", "dict_summary"):
        _iso_keys_when_serialised(_cls, _method, ("createdAt", "updatedAt", "preparedAt"))


_CUSTOM_KEY_ID_TAG = "_custom_key_id_"
_moto_create_key = KmsBackend.create_key


def _create_key(self, policy, key_usage, key_spec, description, tags, multi_region=False, origin="AWS_KMS"):  # type: ignore[no-untyped-def]
    custom_id = next((t.get("TagValue") for t in tags or [] if t.get("TagKey") == _CUSTOM_KEY_ID_TAG), None)
    tags = [t for t in tags or [] if t.get("TagKey") != _CUSTOM_KEY_ID_TAG]
    if custom_id and custom_id in self.keys:
        raise AlreadyExistsException(f"a key with id {custom_id} already exists")
    key = _moto_create_key(self, policy, key_usage, key_spec, description, tags, multi_region, origin)
    if custom_id:
        del self.keys[key.id]
        self.tagger.delete_all_tags_for_resource(key.id)
        key.id = custom_id
        key.arn = f"{key.arn.rsplit('/', 1)[0]}/{custom_id}"
        self.keys[custom_id] = key
        if tags:
            self.tagger.tag_resource(custom_id, tags)
    return key


KmsBackend.create_key = _create_key


ManagedPolicy.policy_name = property(lambda self: self.name)  # type: ignore[attr-defined]
ManagedPolicy.policy_id = property(lambda self: self.id)  # type: ignore[attr-defined]


def _get_agent(self):  # type: ignore[no-untyped-def]
    agent_id = unquote(self.path.split("?")[0].rstrip("/").rsplit("/", 1)[-1])
    agent = self.bedrockagent_backend.get_agent(agent_id=agent_id)
    return json.dumps({"agent": dict(agent.to_dict())})


AgentsforBedrockResponse.get_agent = _get_agent


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

"""The emulator against a second, independent client: boto3.

The Rust SDK is lenient about what it parses; botocore carries its own copy of the AWS models.
This suite starts the real `aws-emulator` binary and calls every operation it serves through
boto3 (client-side parameter validation on, retries off), and checks each answer twice:

- through boto3's parsed response (timestamps become datetimes, errors become
  `e.response["Error"]["Code"]`, required members are present), and
- on the wire: the raw JSON body is walked against botocore's output (or error) shape, so a
  member the model does not declare, a missing required member, a wrong type, an enum value
  outside the model's set or a string outside its length bounds fails the test.

Run: `.venv/bin/python -m unittest discover -s tests/emulator/boto3 -v` from the repository root,
with `AWS_EMULATOR_BIN` naming the binary (default `target/debug/aws-emulator`).
Only the standard library, boto3 and botocore are imported; the accounts tests also run moto
(`tools/moto_server.py`, with this interpreter) as the emulator's upstream, whose STS hands out
the member accounts' credentials and names the account of each key the emulator sees.
"""

import datetime
import http.server
import importlib.util
import json
import os
import pathlib
import re
import subprocess
import sys
import threading
import unittest
import urllib.error
import urllib.request

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError, ParamValidationError

REPO = pathlib.Path(__file__).resolve().parents[3]
EMULATOR_BIN = pathlib.Path(os.environ.get("AWS_EMULATOR_BIN", "target/debug/aws-emulator"))
if not EMULATOR_BIN.is_absolute():
    EMULATOR_BIN = REPO / EMULATOR_BIN

# The endpoints are 127.0.0.1; never send them through a proxy from the environment.
for _var in ("NO_PROXY", "no_proxy"):
    os.environ[_var] = ",".join(filter(None, [os.environ.get(_var), "127.0.0.1"]))

# From tests/emulator/src/seed.rs.
ACCOUNT_ID = "123456789012"
DEMO_ASSESSMENT_ID = "9f1c7c55-3b2a-4c1e-9d7e-5a0b6c2d8e41"
INACTIVE_ASSESSMENT_ID = "4d2e8a10-7b3c-4f5e-8a9b-0c1d2e3f4a5b"
GENAI_FRAMEWORK_ID = "6f8e3b1a-2c4d-4e5f-9a0b-1c2d3e4f5a6b"
GENAI_FRAMEWORK_NAME = "AWS Generative AI Best Practices Framework v2"
CONTROL_SETS = [
    "Responsible",
    "Safe",
    "Fair",
    "Sustainable",
    "Resilience",
    "Privacy",
    "Accuracy",
    "Secure",
]
MISSING_UUID = "00000000-0000-4000-8000-000000000000"
RULE = "genai-evidence-controls"


def control_uuid(n):
    """The deterministic control id number `n` of the default seed."""
    return f"0b7a1c2d-0000-4000-8000-{n:012x}"


# The seed's controls used below (numbered in seed order).
RACI = ("Responsible", control_uuid(2))
ETHICS = ("Responsible", control_uuid(4))
GUARDRAILS = ("Safe", control_uuid(5))
BIAS = ("Fair", control_uuid(6))
ERROR_ANALYSIS = ("Accuracy", control_uuid(13))
AT_REST = ("Secure", control_uuid(15))
LEAST_PRIVILEGE = ("Secure", control_uuid(16))

SESSION = boto3.session.Session(
    aws_access_key_id="testing",
    aws_secret_access_key="testing",
    region_name="us-east-1",
)
CLIENT_CONFIG = Config(retries={"total_max_attempts": 1})

# Where the emulator knowingly departs from the model, by wire path pattern, with the reason.
KNOWN_DEVIATIONS = {
    # AWS does not document how a manual text response appears in Evidence.attributes; the
    # emulator's convention puts the whole text (up to the 1000 characters ManualEvidence
    # allows) into attributes.textResponse, and the project's readers rely on it, while the
    # model caps an EvidenceAttributeValue at 200 characters.
    r"^GetEvidenceByEvidenceFolder\.evidence\[\d+\]\.attributes\{textResponse\}$": "max",
}


class ListeningChild:
    """A child process that prints `listening on http://127.0.0.1:PORT` once it serves and
    exits when its standard input closes."""

    def __init__(self, args, name, timeout):
        self.process = subprocess.Popen(
            args,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        line = self._first_line(timeout=timeout)
        match = re.fullmatch(r"listening on (http://127\.0\.0\.1:\d+)", line.strip())
        if not match:
            self.stop()
            raise RuntimeError(f"{name} did not start: {line!r}")
        self.endpoint = match.group(1)

    def _first_line(self, timeout):
        box = []
        reader = threading.Thread(target=lambda: box.append(self.process.stdout.readline()))
        reader.daemon = True
        reader.start()
        reader.join(timeout)
        return box[0] if box else ""

    def stop(self):
        """Closes stdin (the child then exits), else terminates and kills it by PID."""
        if self.process.stdin and not self.process.stdin.closed:
            self.process.stdin.close()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self.process.stdout:
            self.process.stdout.close()


class Moto(ListeningChild):
    """moto on an ephemeral port of 127.0.0.1, through the project's launcher."""

    def __init__(self):
        super().__init__([sys.executable, str(REPO / "tools" / "moto_server.py")], "moto", 60)


class Emulator(ListeningChild):
    """The `aws-emulator` binary as a child process on an ephemeral port of 127.0.0.1."""

    def __init__(self, upstream=None):
        if not EMULATOR_BIN.exists():
            raise RuntimeError(
                f"{EMULATOR_BIN} not found: build it with `cargo build -p aws-emulator` "
                "or set AWS_EMULATOR_BIN"
            )
        args = [str(EMULATOR_BIN), "--port", "0", "--exit-on-stdin-eof"]
        if upstream:
            args += ["--upstream-config", upstream]
        super().__init__(args, "the emulator", 10)

    def control(self, method, path, body=None):
        """Calls a test-hook route under /_emulator/; returns (status, parsed JSON body)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.endpoint + path,
            data=data,
            method=method,
            headers={"content-type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                return resp.status, json.loads(resp.read() or b"null")
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"null")

    def issue_token(self, rule):
        status, body = self.control(
            "POST", "/_emulator/config/result-tokens", {"configRuleName": rule}
        )
        assert status == 200, body
        return body["resultToken"]

    def register_token(self, rule, token):
        status, body = self.control(
            "POST",
            "/_emulator/config/result-tokens",
            {"configRuleName": rule, "resultToken": token},
        )
        assert status == 200, body
        assert body == {"resultToken": token}, body

    def faults(self, **switches):
        status, body = self.control("POST", "/_emulator/faults", switches)
        assert status == 200, body
        return body


class WireRecorder:
    """Keeps the raw answer of a client's last call (status, headers, body bytes)."""

    def __init__(self, client):
        self.last = None
        client.meta.events.register("before-parse", self._record)

    def _record(self, response_dict=None, **_):
        self.last = {
            "status": response_dict["status_code"],
            "headers": response_dict["headers"],
            "body": response_dict["body"],
        }


def wire_problems(shape, value, path):
    """What is wrong with raw JSON `value` for botocore shape `shape` (a list of strings)."""
    problems = []
    _walk_wire(shape, value, path, problems)
    return problems


def _deviation_allows(path, check):
    return any(re.search(p, path) and c == check for p, c in KNOWN_DEVIATIONS.items())


def _walk_wire(shape, value, path, problems):
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected an object, got {value!r}")
            return
        wire_names = {m.serialization.get("name", n): m for n, m in shape.members.items()}
        for required in shape.required_members:
            wire = shape.members[required].serialization.get("name", required)
            if wire not in value:
                problems.append(f"{path}.{wire}: required by the model, missing")
        for key, member_value in value.items():
            member = wire_names.get(key)
            if member is None:
                problems.append(f"{path}.{key}: not a member of {shape.name}")
            elif member_value is None:
                problems.append(f"{path}.{key}: null")
            else:
                _walk_wire(member, member_value, f"{path}.{key}", problems)
    elif kind == "list":
        if not isinstance(value, list):
            problems.append(f"{path}: expected a list, got {value!r}")
            return
        _bounds(shape, len(value), path, problems)
        for i, item in enumerate(value):
            _walk_wire(shape.member, item, f"{path}[{i}]", problems)
    elif kind == "map":
        if not isinstance(value, dict):
            problems.append(f"{path}: expected a map, got {value!r}")
            return
        _bounds(shape, len(value), path, problems)
        for key, item in value.items():
            _walk_wire(shape.key, key, f"{path}<key {key}>", problems)
            _walk_wire(shape.value, item, f"{path}{{{key}}}", problems)
    elif kind == "string":
        if not isinstance(value, str):
            problems.append(f"{path}: expected a string, got {value!r}")
            return
        if shape.enum and value not in shape.enum:
            problems.append(f"{path}: {value!r} is not one of {shape.enum}")
        _bounds(shape, len(value), path, problems)
        pattern = shape.metadata.get("pattern")
        if pattern:
            try:
                compiled = re.compile(pattern)
            except re.error:
                compiled = None  # a Java-only construct; the other checks still apply
            if compiled and not compiled.search(value):
                problems.append(f"{path}: {value!r} does not match {pattern}")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            problems.append(f"{path}: expected an integer, got {value!r}")
            return
        _bounds(shape, value, path, problems, length=False)
    elif kind in ("float", "double"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{path}: expected a number, got {value!r}")
    elif kind == "boolean":
        if not isinstance(value, bool):
            problems.append(f"{path}: expected a boolean, got {value!r}")
    elif kind == "timestamp":
        # Both protocols send timestamps as epoch seconds unless the model says otherwise.
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            problems.append(f"{path}: expected epoch seconds, got {value!r}")
    else:
        problems.append(f"{path}: unchecked shape type {kind}")


def _bounds(shape, n, path, problems, length=True):
    what = "length" if length else "value"
    low, high = shape.metadata.get("min"), shape.metadata.get("max")
    if low is not None and n < low and not _deviation_allows(path, "min"):
        problems.append(f"{path}: {what} {n} < min {low}")
    if high is not None and n > high and not _deviation_allows(path, "max"):
        problems.append(f"{path}: {what} {n} > max {high}")


def parsed_problems(shape, value, path):
    """What is wrong with boto3's parsed `value`: required members, datetimes, Python types."""
    problems = []
    _walk_parsed(shape, value, path, problems)
    return problems


def _walk_parsed(shape, value, path, problems):
    kind = shape.type_name
    if kind == "structure":
        for required in shape.required_members:
            if required not in value:
                problems.append(f"{path}.{required}: required, missing after parsing")
        for name, item in value.items():
            if name in shape.members:
                _walk_parsed(shape.members[name], item, f"{path}.{name}", problems)
    elif kind == "list":
        for i, item in enumerate(value):
            _walk_parsed(shape.member, item, f"{path}[{i}]", problems)
    elif kind == "map":
        for key, item in value.items():
            _walk_parsed(shape.value, item, f"{path}{{{key}}}", problems)
    elif kind == "timestamp":
        if not isinstance(value, datetime.datetime) or value.tzinfo is None:
            problems.append(f"{path}: parsed as {value!r}, not an aware datetime")


class EmulatorCase(unittest.TestCase):
    """One fresh emulator per test, with boto3 clients for both services."""

    upstream = None

    def setUp(self):
        self.emulator = Emulator(self.upstream)
        self.addCleanup(self.emulator.stop)
        self.am = self.client("auditmanager")
        self.cfg = self.client("config")

    def client(self, service, session=SESSION):
        client = session.client(
            service, endpoint_url=self.emulator.endpoint, config=CLIENT_CONFIG
        )
        self.assertEqual(client.meta.endpoint_url, self.emulator.endpoint)
        client._wire = WireRecorder(client)
        return client

    def call(self, client, method, **params):
        """Calls `method`, checks the answer on the wire and as parsed; returns it."""
        response = getattr(client, method)(**params)
        operation = client.meta.service_model.operation_model(
            client.meta.method_to_api_mapping[method]
        )
        wire = client._wire.last
        self.assertEqual(response["ResponseMetadata"]["HTTPStatusCode"], 200)
        self.assertTrue(response["ResponseMetadata"].get("RequestId"), "no x-amzn-RequestId")
        raw = json.loads(wire["body"] or b"{}")
        problems = []
        if operation.output_shape is not None:
            problems += wire_problems(operation.output_shape, raw, operation.name)
            body = {k: v for k, v in response.items() if k != "ResponseMetadata"}
            problems += parsed_problems(operation.output_shape, body, operation.name)
        elif raw:
            problems.append(f"{operation.name}: the model declares no output, got {raw!r}")
        self.assertEqual(problems, [], f"{operation.name} answered {raw!r}")
        return response

    def error(self, client, method, code, status, **params):
        """Calls `method`, expecting error `code` with HTTP `status`; checks the error body."""
        with self.assertRaises(ClientError) as caught:
            getattr(client, method)(**params)
        error = caught.exception.response
        self.assertEqual(error["Error"]["Code"], code, error)
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], status, error)
        self.assertTrue(error["Error"]["Message"], error)
        model = client.meta.service_model
        operation = model.operation_model(client.meta.method_to_api_mapping[method])
        raw = json.loads(client._wire.last["body"])
        declared = [e.name for e in operation.error_shapes]
        if code in declared:
            shape = model.shape_for(code)
            if model.protocol == "json":
                # JSON 1.1 errors carry __type and message besides the shape's members.
                raw = {k: v for k, v in raw.items() if k not in ("__type", "message")}
            problems = wire_problems(shape, raw, code)
            self.assertEqual(problems, [], f"{code} body {raw!r}")
        return error

    # ------------------------------------------------------------ helpers

    def folders(self, control, **params):
        set_id, control_id = control
        return self.call(
            self.am,
            "get_evidence_folders_by_assessment_control",
            assessmentId=DEMO_ASSESSMENT_ID,
            controlSetId=set_id,
            controlId=control_id,
            **params,
        )

    def evidence(self, control, folder_id, **params):
        return self.call(
            self.am,
            "get_evidence_by_evidence_folder",
            assessmentId=DEMO_ASSESSMENT_ID,
            controlSetId=control[0],
            evidenceFolderId=folder_id,
            **params,
        )

    def import_evidence(self, control, items, assessment=DEMO_ASSESSMENT_ID):
        return self.call(
            self.am,
            "batch_import_evidence_to_assessment_control",
            assessmentId=assessment,
            controlSetId=control[0],
            controlId=control[1],
            manualEvidence=items,
        )

    def all_evidence(self, control):
        """Every evidence record of `control`, over all folders and pages."""
        records = []
        for folder in self.folders(control)["evidenceFolders"]:
            token = None
            while True:
                params = {"nextToken": token} if token else {}
                page = self.evidence(control, folder["id"], **params)
                records += page["evidence"]
                token = page.get("nextToken")
                if not token:
                    break
        return records

    def put(self, token, evaluations, client=None, **params):
        return self.call(
            client or self.cfg,
            "put_evaluations",
            ResultToken=token,
            Evaluations=evaluations,
            **params,
        )

    def details(self, rule, client=None, **params):
        return self.call(
            client or self.cfg,
            "get_compliance_details_by_config_rule",
            ConfigRuleName=rule,
            **params,
        )


def texts(n, prefix):
    return [{"textResponse": f"{prefix} {i}"} for i in range(n)]


def evaluation(resource, compliance, when, annotation=None):
    item = {
        "ComplianceResourceType": "AWS::S3::Bucket",
        "ComplianceResourceId": resource,
        "ComplianceType": compliance,
        "OrderingTimestamp": when,
    }
    if annotation:
        item["Annotation"] = annotation
    return item


def at(seconds):
    return datetime.datetime.fromtimestamp(seconds, tz=datetime.timezone.utc)


class AuditManagerTest(EmulatorCase):
    def test_get_account_status_is_active(self):
        self.assertEqual(self.call(self.am, "get_account_status")["status"], "ACTIVE")

    def test_list_assessments_lists_both_seeded_assessments_and_paginates(self):
        page = self.call(self.am, "list_assessments", maxResults=1)
        self.assertEqual([a["id"] for a in page["assessmentMetadata"]], [DEMO_ASSESSMENT_ID])
        first = page["assessmentMetadata"][0]
        self.assertEqual(first["status"], "ACTIVE")
        self.assertEqual(first["name"], "GenAI best practices (demo)")
        self.assertEqual(first["creationTime"], at(1_767_225_600))
        page = self.call(
            self.am, "list_assessments", maxResults=1, nextToken=page["nextToken"]
        )
        self.assertEqual(
            [a["id"] for a in page["assessmentMetadata"]], [INACTIVE_ASSESSMENT_ID]
        )
        self.assertNotIn("nextToken", page)

    def test_list_assessments_filters_by_status(self):
        active = self.call(self.am, "list_assessments", status="ACTIVE")
        self.assertEqual([a["id"] for a in active["assessmentMetadata"]], [DEMO_ASSESSMENT_ID])
        inactive = self.call(self.am, "list_assessments", status="INACTIVE")
        self.assertEqual(
            [a["id"] for a in inactive["assessmentMetadata"]], [INACTIVE_ASSESSMENT_ID]
        )

    def test_get_assessment_returns_the_seeded_genai_framework(self):
        out = self.call(self.am, "get_assessment", assessmentId=DEMO_ASSESSMENT_ID)
        assessment = out["assessment"]
        self.assertEqual(assessment["metadata"]["id"], DEMO_ASSESSMENT_ID)
        self.assertEqual(assessment["metadata"]["status"], "ACTIVE")
        self.assertIsInstance(assessment["metadata"]["creationTime"], datetime.datetime)
        self.assertEqual(assessment["awsAccount"]["id"], ACCOUNT_ID)
        self.assertEqual(
            assessment["arn"],
            f"arn:aws:auditmanager:us-east-1:{ACCOUNT_ID}:assessment/{DEMO_ASSESSMENT_ID}",
        )
        framework = assessment["framework"]
        self.assertEqual(framework["id"], GENAI_FRAMEWORK_ID)
        self.assertEqual(framework["metadata"]["name"], GENAI_FRAMEWORK_NAME)
        self.assertEqual([s["id"] for s in framework["controlSets"]], CONTROL_SETS)
        secure = next(s for s in framework["controlSets"] if s["id"] == "Secure")
        controls = {c["name"]: c for c in secure["controls"]}
        self.assertEqual(controls["SECAI3.3 Data Encryption At Rest"]["id"], AT_REST[1])
        self.assertEqual(controls["Least Privilege"]["id"], LEAST_PRIVILEGE[1])
        self.assertEqual(controls["Least Privilege"]["evidenceCount"], 0)
        self.assertEqual(out["userRole"]["roleType"], "PROCESS_OWNER")

        inactive = self.call(self.am, "get_assessment", assessmentId=INACTIVE_ASSESSMENT_ID)
        self.assertEqual(inactive["assessment"]["metadata"]["status"], "INACTIVE")

    def test_imported_text_evidence_is_visible_through_every_read_operation(self):
        before = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=5)
        out = self.import_evidence(
            AT_REST,
            [
                {"textResponse": "SECAI3.3 Data Encryption At Rest | COMPLIANT"},
                {"textResponse": "SECAI3.3 Data Encryption At Rest | NON_COMPLIANT"},
            ],
        )
        self.assertEqual(out["errors"], [])

        folders = self.folders(AT_REST)["evidenceFolders"]
        self.assertEqual(len(folders), 1)
        folder = folders[0]
        self.assertEqual(folder["assessmentId"], DEMO_ASSESSMENT_ID)
        self.assertEqual((folder["controlSetId"], folder["controlId"]), AT_REST)
        self.assertEqual(folder["controlName"], "SECAI3.3 Data Encryption At Rest")
        self.assertEqual(folder["totalEvidence"], 2)
        self.assertEqual(folder["evidenceByTypeManualCount"], 2)
        self.assertEqual(folder["dataSource"], "Manual")
        self.assertGreaterEqual(folder["date"], before)
        self.assertEqual(folder["name"], folder["date"].strftime("%Y-%m-%d"))

        evidence = self.evidence(AT_REST, folder["id"])["evidence"]
        self.assertEqual(
            [e["attributes"]["textResponse"] for e in evidence],
            [
                "SECAI3.3 Data Encryption At Rest | COMPLIANT",
                "SECAI3.3 Data Encryption At Rest | NON_COMPLIANT",
            ],
        )
        for record in evidence:
            self.assertEqual(record["evidenceFolderId"], folder["id"])
            self.assertEqual(record["evidenceByType"], "Manual")
            self.assertEqual(record["awsAccountId"], ACCOUNT_ID)
            self.assertGreaterEqual(record["time"], before)

        assessment = self.call(self.am, "get_assessment", assessmentId=DEMO_ASSESSMENT_ID)
        secure = next(
            s for s in assessment["assessment"]["framework"]["controlSets"] if s["id"] == "Secure"
        )
        self.assertEqual(secure["manualEvidenceCount"], 2)
        counts = {c["id"]: c["evidenceCount"] for c in secure["controls"]}
        self.assertEqual(counts[AT_REST[1]], 2)
        self.assertEqual(counts[LEAST_PRIVILEGE[1]], 0)

    def test_s3_and_file_evidence_are_recorded_in_attributes_and_resources(self):
        out = self.import_evidence(
            ERROR_ANALYSIS,
            [{"s3ResourcePath": "s3://evidence/run-1.json"}, {"evidenceFileName": "report.pdf"}],
        )
        self.assertEqual(out["errors"], [])
        folder = self.folders(ERROR_ANALYSIS)["evidenceFolders"][0]
        self.assertEqual(folder["evidenceResourcesIncludedCount"], 1)
        s3, file = self.evidence(ERROR_ANALYSIS, folder["id"])["evidence"]
        self.assertEqual(s3["attributes"], {"s3ResourcePath": "s3://evidence/run-1.json"})
        self.assertEqual(s3["resourcesIncluded"], [{"value": "s3://evidence/run-1.json"}])
        self.assertEqual(file["attributes"], {"evidenceFileName": "report.pdf"})
        self.assertEqual(file["resourcesIncluded"], [])

    def test_text_of_the_maximum_length_round_trips(self):
        text = "ü" * 1000
        self.assertEqual(self.import_evidence(BIAS, [{"textResponse": text}])["errors"], [])
        self.assertEqual(
            [e["attributes"]["textResponse"] for e in self.all_evidence(BIAS)], [text]
        )

    def test_evidence_by_folder_paginates_with_next_token(self):
        self.import_evidence(GUARDRAILS, texts(5, "t"))
        folder_id = self.folders(GUARDRAILS)["evidenceFolders"][0]["id"]
        seen, token, pages = [], None, 0
        while True:
            params = {"maxResults": 2}
            if token:
                params["nextToken"] = token
            page = self.evidence(GUARDRAILS, folder_id, **params)
            pages += 1
            seen += [e["attributes"]["textResponse"] for e in page["evidence"]]
            token = page.get("nextToken")
            if not token:
                break
        self.assertEqual(seen, ["t 0", "t 1", "t 2", "t 3", "t 4"])
        self.assertEqual(pages, 3)

    def test_evidence_folders_are_per_utc_day_and_paginate(self):
        self.import_evidence(ETHICS, texts(1, "day one"))
        self.emulator.faults(advanceClockSeconds=86_400)
        self.import_evidence(ETHICS, texts(2, "day two"))
        first = self.folders(ETHICS, maxResults=1)
        self.assertEqual(len(first["evidenceFolders"]), 1)
        second = self.folders(ETHICS, maxResults=1, nextToken=first["nextToken"])
        self.assertNotIn("nextToken", second)
        day_one, day_two = first["evidenceFolders"][0], second["evidenceFolders"][0]
        self.assertEqual((day_one["totalEvidence"], day_two["totalEvidence"]), (1, 2))
        self.assertGreaterEqual(day_two["date"] - day_one["date"], datetime.timedelta(days=1))
        self.assertNotEqual(day_one["name"], day_two["name"])

    def test_the_daily_quota_overflow_comes_back_in_errors(self):
        self.assertEqual(self.import_evidence(RACI, texts(50, "a"))["errors"], [])
        self.assertEqual(self.import_evidence(RACI, texts(49, "b"))["errors"], [])
        errors = self.import_evidence(RACI, texts(3, "c"))["errors"]
        self.assertEqual(len(errors), 2)
        self.assertEqual(errors[0]["manualEvidence"], {"textResponse": "c 1"})
        self.assertEqual(errors[0]["errorCode"], "400")
        self.assertIn("quota", errors[0]["errorMessage"])
        self.assertEqual(sum(1 for _ in self.all_evidence(RACI)), 100)

    def test_injected_item_failures_come_back_in_errors_and_are_not_stored(self):
        self.emulator.faults(failItems=1)
        errors = self.import_evidence(LEAST_PRIVILEGE, texts(2, "x"))["errors"]
        self.assertEqual(
            errors,
            [
                {
                    "manualEvidence": {"textResponse": "x 0"},
                    "errorCode": "500",
                    "errorMessage": "InternalServerException: injected",
                }
            ],
        )
        self.assertEqual(
            [e["attributes"]["textResponse"] for e in self.all_evidence(LEAST_PRIVILEGE)],
            ["x 1"],
        )

    def test_an_unknown_assessment_is_resource_not_found(self):
        error = self.error(
            self.am,
            "get_assessment",
            "ResourceNotFoundException",
            404,
            assessmentId=MISSING_UUID,
        )
        self.assertEqual(error["resourceId"], MISSING_UUID)
        self.assertEqual(error["resourceType"], "ASSESSMENT")
        self.error(
            self.am,
            "batch_import_evidence_to_assessment_control",
            "ResourceNotFoundException",
            404,
            assessmentId=MISSING_UUID,
            controlSetId="Secure",
            controlId=AT_REST[1],
            manualEvidence=texts(1, "x"),
        )

    def test_unknown_control_sets_controls_and_folders_are_resource_not_found(self):
        cases = [
            (
                "batch_import_evidence_to_assessment_control",
                dict(controlSetId="Nope", controlId=AT_REST[1], manualEvidence=texts(1, "x")),
                "CONTROL_SET",
            ),
            (
                "batch_import_evidence_to_assessment_control",
                dict(controlSetId="Accuracy", controlId=AT_REST[1], manualEvidence=texts(1, "x")),
                "CONTROL",
            ),
            (
                "get_evidence_folders_by_assessment_control",
                dict(controlSetId="Secure", controlId=MISSING_UUID),
                "CONTROL",
            ),
            (
                "get_evidence_by_evidence_folder",
                dict(controlSetId="Secure", evidenceFolderId=MISSING_UUID),
                "EVIDENCE_FOLDER",
            ),
        ]
        for method, params, resource_type in cases:
            with self.subTest(method=method, resource_type=resource_type):
                error = self.error(
                    self.am,
                    method,
                    "ResourceNotFoundException",
                    404,
                    assessmentId=DEMO_ASSESSMENT_ID,
                    **params,
                )
                self.assertEqual(error["resourceType"], resource_type)

    def test_invalid_requests_are_validation_exceptions(self):
        set_id, control_id = LEAST_PRIVILEGE
        cases = [
            ("an upper-case id", "get_assessment", dict(assessmentId=DEMO_ASSESSMENT_ID.upper())),
            (
                "51 items",
                "batch_import_evidence_to_assessment_control",
                dict(
                    assessmentId=DEMO_ASSESSMENT_ID,
                    controlSetId=set_id,
                    controlId=control_id,
                    manualEvidence=texts(51, "x"),
                ),
            ),
            (
                "an item with two fields",
                "batch_import_evidence_to_assessment_control",
                dict(
                    assessmentId=DEMO_ASSESSMENT_ID,
                    controlSetId=set_id,
                    controlId=control_id,
                    manualEvidence=[{"textResponse": "a", "evidenceFileName": "a.pdf"}],
                ),
            ),
            (
                "an https path",
                "batch_import_evidence_to_assessment_control",
                dict(
                    assessmentId=DEMO_ASSESSMENT_ID,
                    controlSetId=set_id,
                    controlId=control_id,
                    manualEvidence=[{"s3ResourcePath": "https://bucket/key"}],
                ),
            ),
            (
                "an inactive assessment",
                "batch_import_evidence_to_assessment_control",
                dict(
                    assessmentId=INACTIVE_ASSESSMENT_ID,
                    controlSetId="Responsible",
                    controlId=control_uuid(1),
                    manualEvidence=texts(1, "x"),
                ),
            ),
            ("a forged nextToken", "list_assessments", dict(nextToken="Zm9yZ2Vk")),
            (
                "a forged folders nextToken",
                "get_evidence_folders_by_assessment_control",
                dict(
                    assessmentId=DEMO_ASSESSMENT_ID,
                    controlSetId=set_id,
                    controlId=control_id,
                    nextToken="Zm9yZ2Vk",
                ),
            ),
        ]
        for why, method, params in cases:
            with self.subTest(why):
                error = self.error(self.am, method, "ValidationException", 400, **params)
                self.assertIn(error.get("reason"), ("fieldValidationFailed", "other"), error)
        self.assertEqual(self.all_evidence(LEAST_PRIVILEGE), [], "nothing was stored")

    def test_values_over_the_models_maximums_are_validation_exceptions(self):
        # botocore checks only minimums client-side, so these reach the emulator.
        set_id, control_id = LEAST_PRIVILEGE
        target = dict(assessmentId=DEMO_ASSESSMENT_ID, controlSetId=set_id, controlId=control_id)
        import_ = "batch_import_evidence_to_assessment_control"
        cases = [
            ("list_assessments", dict(maxResults=1001)),
            (import_, dict(target, manualEvidence=[{"textResponse": "x" * 1001}])),
            (import_, dict(target, manualEvidence=[{"evidenceFileName": "f" * 301}])),
            (import_, dict(target, controlSetId="s" * 301, manualEvidence=texts(1, "x"))),
            ("get_evidence_folders_by_assessment_control", dict(target, maxResults=1001)),
        ]
        for method, params in cases:
            with self.subTest(method=method, params=str(params)[:60]):
                self.error(self.am, method, "ValidationException", 400, **params)
        self.assertEqual(self.all_evidence(LEAST_PRIVILEGE), [])

    def test_client_side_validation_stops_what_the_model_forbids(self):
        # botocore's own model rejects these before they are sent: proof that validation is on.
        with self.assertRaises(ParamValidationError):
            self.am.batch_import_evidence_to_assessment_control(
                assessmentId=DEMO_ASSESSMENT_ID,
                controlSetId="Secure",
                controlId=AT_REST[1],
                manualEvidence=[],
            )
        with self.assertRaises(ParamValidationError):
            self.am.list_assessments(maxResults=0)
        self.assertEqual(self.emulator.control("GET", "/_emulator/calls")[1], {})

    def test_a_throttled_import_is_a_throttling_exception_and_stores_nothing(self):
        self.emulator.faults(throttleImports=1)
        self.error(
            self.am,
            "batch_import_evidence_to_assessment_control",
            "ThrottlingException",
            429,
            assessmentId=DEMO_ASSESSMENT_ID,
            controlSetId=AT_REST[0],
            controlId=AT_REST[1],
            manualEvidence=texts(2, "x"),
        )
        self.assertEqual(self.folders(AT_REST)["evidenceFolders"], [])
        self.assertEqual(self.import_evidence(AT_REST, texts(2, "x"))["errors"], [])
        self.assertEqual(len(self.all_evidence(AT_REST)), 2)

    def test_deny_all_makes_every_operation_access_denied(self):
        self.emulator.faults(denyAll=True)
        self.error(self.am, "get_account_status", "AccessDeniedException", 403)
        self.error(self.am, "list_assessments", "AccessDeniedException", 403)
        self.error(
            self.am,
            "get_assessment",
            "AccessDeniedException",
            403,
            assessmentId=DEMO_ASSESSMENT_ID,
        )
        self.emulator.faults(denyAll=False)
        self.assertEqual(self.call(self.am, "get_account_status")["status"], "ACTIVE")


class ConfigTest(EmulatorCase):
    def test_an_issued_opaque_token_files_results_under_its_rule(self):
        token = self.emulator.issue_token(RULE)
        self.assertGreaterEqual(len(token), 300)
        self.assertRegex(token, r"^[A-Za-z0-9+/]+=*$")
        self.assertNotIn(RULE, token)
        out = self.put(
            token,
            [
                evaluation("genai-train", "COMPLIANT", at(1_767_225_600.5), "all checks pass"),
                evaluation("genai-legacy", "NON_COMPLIANT", at(1_767_225_601)),
            ],
        )
        self.assertEqual(out["FailedEvaluations"], [])

        results = self.details(RULE)["EvaluationResults"]
        by_id = {
            r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"]: r
            for r in results
        }
        self.assertEqual(sorted(by_id), ["genai-legacy", "genai-train"])
        train = by_id["genai-train"]
        qualifier = train["EvaluationResultIdentifier"]["EvaluationResultQualifier"]
        self.assertEqual(qualifier["ConfigRuleName"], RULE)
        self.assertEqual(qualifier["ResourceType"], "AWS::S3::Bucket")
        self.assertEqual(train["ComplianceType"], "COMPLIANT")
        self.assertEqual(train["Annotation"], "all checks pass")
        self.assertEqual(train["ResultToken"], token)
        self.assertEqual(
            train["EvaluationResultIdentifier"]["OrderingTimestamp"], at(1_767_225_600.5)
        )
        self.assertIsInstance(train["ResultRecordedTime"], datetime.datetime)
        self.assertIsInstance(train["ConfigRuleInvokedTime"], datetime.datetime)
        self.assertNotIn("Annotation", by_id["genai-legacy"])

    def test_a_sample_events_token_registered_over_http_files_under_the_samples_rule(self):
        sample = json.loads((REPO / "events" / "config-s3-bucket-compliant.json").read_text())
        rule, token = sample["configRuleName"], sample["resultToken"]
        self.error(
            self.cfg,
            "put_evaluations",
            "InvalidResultTokenException",
            400,
            ResultToken=token,
            Evaluations=[evaluation("b", "COMPLIANT", at(1))],
        )
        self.emulator.register_token(rule, token)
        out = self.put(token, [evaluation("b", "COMPLIANT", at(1))])
        self.assertEqual(out["FailedEvaluations"], [])
        [result] = self.details(rule)["EvaluationResults"]
        self.assertEqual(result["ResultToken"], token)

    def test_compliance_details_paginate_with_next_token(self):
        token = self.emulator.issue_token(RULE)
        self.put(token, [evaluation(f"bucket-{i:02}", "COMPLIANT", at(i)) for i in range(7)])
        ids, next_token, pages = [], None, 0
        while True:
            params = {"Limit": 3}
            if next_token:
                params["NextToken"] = next_token
            page = self.details(RULE, **params)
            pages += 1
            ids += [
                r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"]
                for r in page["EvaluationResults"]
            ]
            next_token = page.get("NextToken")
            if not next_token:
                break
        self.assertEqual(ids, [f"bucket-{i:02}" for i in range(7)])
        self.assertEqual(pages, 3)

        paginator = self.cfg.get_paginator("get_compliance_details_by_config_rule")
        pages = list(paginator.paginate(ConfigRuleName=RULE, PaginationConfig={"PageSize": 2}))
        self.assertEqual(len(pages), 4)
        self.assertEqual(sum(len(p["EvaluationResults"]) for p in pages), 7)

    def test_compliance_types_filter_the_results(self):
        token = self.emulator.issue_token(RULE)
        self.put(
            token,
            [
                evaluation("a", "COMPLIANT", at(1)),
                evaluation("b", "NON_COMPLIANT", at(1)),
                evaluation("c", "NOT_APPLICABLE", at(1)),
            ],
        )
        page = self.details(RULE, ComplianceTypes=["NON_COMPLIANT", "NOT_APPLICABLE"])
        self.assertEqual(
            sorted(r["ComplianceType"] for r in page["EvaluationResults"]),
            ["NON_COMPLIANT", "NOT_APPLICABLE"],
        )
        page = self.details(RULE, ComplianceTypes=["INSUFFICIENT_DATA"])
        self.assertEqual(page["EvaluationResults"], [])

    def test_the_newest_ordering_timestamp_wins(self):
        token = self.emulator.issue_token(RULE)
        self.put(token, [evaluation("bucket", "NON_COMPLIANT", at(1_000))])
        self.put(token, [evaluation("bucket", "COMPLIANT", at(2_000))])
        self.put(token, [evaluation("bucket", "NON_COMPLIANT", at(1_500))])
        [result] = self.details(RULE)["EvaluationResults"]
        self.assertEqual(result["ComplianceType"], "COMPLIANT")
        self.assertEqual(result["EvaluationResultIdentifier"]["OrderingTimestamp"], at(2_000))

    def test_test_mode_accepts_any_token_and_stores_nothing(self):
        token = self.emulator.issue_token(RULE)
        for any_token in ["TESTMODE", "never-issued", token]:
            with self.subTest(any_token[:20]):
                out = self.put(any_token, [evaluation("b", "COMPLIANT", at(1))], TestMode=True)
                self.assertEqual(out["FailedEvaluations"], [])
        self.assertEqual(self.details(RULE)["EvaluationResults"], [])
        self.error(
            self.cfg,
            "put_evaluations",
            "InvalidParameterValueException",
            400,
            ResultToken="TESTMODE",
            TestMode=True,
            Evaluations=[evaluation("b", "INSUFFICIENT_DATA", at(1))],
        )

    def test_an_unregistered_token_is_an_invalid_result_token_exception(self):
        self.emulator.issue_token(RULE)
        for token in ["eyJlbmNyeXB0ZWREYXRhIjpbMSwyLDNdfQ==", f"{RULE}.AQoDYXdzEJr1", "r.1"]:
            with self.subTest(token):
                self.error(
                    self.cfg,
                    "put_evaluations",
                    "InvalidResultTokenException",
                    400,
                    ResultToken=token,
                    Evaluations=[evaluation("b", "COMPLIANT", at(1))],
                )
        self.assertEqual(self.details(RULE)["EvaluationResults"], [])

    def test_an_unknown_rule_is_a_no_such_config_rule_exception(self):
        error = self.error(
            self.cfg,
            "get_compliance_details_by_config_rule",
            "NoSuchConfigRuleException",
            400,
            ConfigRuleName="never-created",
        )
        self.assertIn("never-created", error["Error"]["Message"])
        # "r.1" names no rule: the part before a dot means nothing.
        self.emulator.register_token(RULE, "r.1")
        self.error(
            self.cfg,
            "get_compliance_details_by_config_rule",
            "NoSuchConfigRuleException",
            400,
            ConfigRuleName="r",
        )

    def test_insufficient_data_is_an_invalid_parameter_value(self):
        token = self.emulator.issue_token(RULE)
        self.error(
            self.cfg,
            "put_evaluations",
            "InvalidParameterValueException",
            400,
            ResultToken=token,
            Evaluations=[evaluation("b", "INSUFFICIENT_DATA", at(1))],
        )
        self.assertEqual(self.details(RULE)["EvaluationResults"], [])

    def test_failed_evaluations_echo_what_was_sent(self):
        token = self.emulator.issue_token(RULE)
        self.emulator.faults(failEvaluations=1)
        out = self.put(
            token,
            [
                evaluation("a", "COMPLIANT", at(1_767_225_600), "first"),
                evaluation("b", "NON_COMPLIANT", at(1_767_225_600)),
            ],
        )
        [failed] = out["FailedEvaluations"]
        self.assertEqual(failed["ComplianceResourceId"], "a")
        self.assertEqual(failed["Annotation"], "first")
        self.assertEqual(failed["OrderingTimestamp"], at(1_767_225_600))
        [stored] = self.details(RULE)["EvaluationResults"]
        self.assertEqual(
            stored["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"], "b"
        )

    def test_values_over_the_models_maximums_are_validation_exceptions(self):
        # botocore checks only minimums client-side, so these reach the emulator, which must
        # enforce the maximums of the model (the Rust SDK checks neither).
        token = self.emulator.issue_token(RULE)
        self.emulator.issue_token("r" * 65)
        many = [evaluation(f"b{i}", "COMPLIANT", at(1)) for i in range(101)]
        long_annotation = [evaluation("b", "COMPLIANT", at(1), "a" * 257)]
        cases = [
            ("put_evaluations", dict(ResultToken=token, Evaluations=many)),
            ("put_evaluations", dict(ResultToken=token, Evaluations=long_annotation)),
            ("get_compliance_details_by_config_rule", dict(ConfigRuleName=RULE, Limit=101)),
            ("get_compliance_details_by_config_rule", dict(ConfigRuleName="r" * 65)),
        ]
        for method, params in cases:
            with self.subTest(method=method, params=str(params)[:60]):
                self.error(self.cfg, method, "ValidationException", 400, **params)
        self.assertEqual(self.details(RULE)["EvaluationResults"], [])

    def test_a_forged_next_token_is_an_invalid_next_token(self):
        self.emulator.issue_token(RULE)
        self.error(
            self.cfg,
            "get_compliance_details_by_config_rule",
            "InvalidNextTokenException",
            400,
            ConfigRuleName=RULE,
            NextToken="forged",
        )

    def test_other_operations_without_an_upstream_are_unknown(self):
        self.error(self.cfg, "describe_config_rules", "UnknownOperationException", 400)


class _StandIn(http.server.BaseHTTPRequestHandler):
    """A moto stand-in: answers every Config call with the server's status and records it."""

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        if self.headers.get("content-type") == "application/x-www-form-urlencoded":
            # The emulator asking STS whose key signed a Config call: the default account's.
            self.server.identity_lookups.append(body.decode())
            data = (
                "<GetCallerIdentityResponse><GetCallerIdentityResult>"
                f"<Account>{ACCOUNT_ID}</Account>"
                "</GetCallerIdentityResult></GetCallerIdentityResponse>"
            ).encode()
            self.send_response(200)
            self.send_header("content-type", "text/xml")
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        self.server.calls.append((self.headers.get("x-amz-target"), json.loads(body or b"{}")))
        status = self.server.status
        answer = {} if status < 300 else {
            "__type": "InvalidParameterValueException",
            "message": "rejected by the stand-in",
        }
        data = json.dumps(answer).encode()
        self.send_response(status)
        self.send_header("content-type", "application/x-amz-json-1.1")
        self.send_header("content-length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, *_):
        pass


class ForwardedConfigTest(EmulatorCase):
    """PutConfigRule goes upstream; a 2xx answer makes the rule known to the emulator."""

    def setUp(self):
        self.standin = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _StandIn)
        self.standin.status = 200
        self.standin.calls = []
        self.standin.identity_lookups = []
        thread = threading.Thread(target=self.standin.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(self.standin.server_close)
        self.addCleanup(self.standin.shutdown)
        self.upstream = f"http://127.0.0.1:{self.standin.server_address[1]}"
        super().setUp()

    def put_rule(self, name):
        return dict(
            ConfigRule={
                "ConfigRuleName": name,
                "Source": {
                    "Owner": "CUSTOM_LAMBDA",
                    "SourceIdentifier": (
                        f"arn:aws:lambda:us-east-1:{ACCOUNT_ID}:function:config-rule"
                    ),
                    "SourceDetails": [
                        {
                            "EventSource": "aws.config",
                            "MessageType": "ConfigurationItemChangeNotification",
                        }
                    ],
                },
            }
        )

    def test_a_put_config_rule_the_upstream_accepts_makes_the_rule_known(self):
        self.call(self.cfg, "put_config_rule", **self.put_rule(RULE))
        self.assertEqual(
            [target for target, _ in self.standin.calls], ["StarlingDoveService.PutConfigRule"]
        )
        self.assertEqual(self.details(RULE)["EvaluationResults"], [])
        self.assertEqual(len(self.standin.calls), 1, "compliance details are served locally")
        self.assertEqual(
            self.standin.identity_lookups,
            ["Action=GetCallerIdentity&Version=2011-06-15"],
            "the caller's account is asked of the upstream's STS",
        )

    def test_a_put_config_rule_the_upstream_rejects_creates_no_rule(self):
        self.standin.status = 400
        self.error(
            self.cfg,
            "put_config_rule",
            "InvalidParameterValueException",
            400,
            **self.put_rule(RULE),
        )
        self.error(
            self.cfg,
            "get_compliance_details_by_config_rule",
            "NoSuchConfigRuleException",
            400,
            ConfigRuleName=RULE,
        )


@unittest.skipUnless(importlib.util.find_spec("moto"), "moto is not installed here")
class AccountsTest(EmulatorCase):
    """With moto upstream, Config evaluations are kept per account of the signing credentials,
    as for an organization rule that puts evaluations with each member account's credentials."""

    MEMBERS = ("111111111111", "222222222222")

    @classmethod
    def setUpClass(cls):
        cls.moto = Moto()
        cls.addClassCleanup(cls.moto.stop)
        cls.upstream = cls.moto.endpoint

    def member_session(self, account):
        """A session with credentials of role x in `account`, assumed through moto's STS."""
        sts = SESSION.client("sts", endpoint_url=self.moto.endpoint, config=CLIENT_CONFIG)
        credentials = sts.assume_role(
            RoleArn=f"arn:aws:iam::{account}:role/x", RoleSessionName=f"member-{account}"
        )["Credentials"]
        session = boto3.session.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name="us-east-1",
        )
        identity = session.client(
            "sts", endpoint_url=self.moto.endpoint, config=CLIENT_CONFIG
        ).get_caller_identity()
        self.assertEqual(identity["Account"], account)
        return session

    def read_back(self, client=None):
        """(resource id, compliance, annotation) of every result of RULE the client reads."""
        return sorted(
            (
                r["EvaluationResultIdentifier"]["EvaluationResultQualifier"]["ResourceId"],
                r["ComplianceType"],
                r.get("Annotation"),
            )
            for r in self.details(RULE, client=client)["EvaluationResults"]
        )

    def test_each_account_reads_back_only_the_evaluations_its_credentials_put(self):
        token = self.emulator.issue_token(RULE)
        members = {
            account: self.client("config", self.member_session(account))
            for account in self.MEMBERS
        }
        verdicts = dict(zip(self.MEMBERS, ["COMPLIANT", "NON_COMPLIANT"]))
        for account, client in members.items():
            out = self.put(
                token,
                [
                    evaluation("shared-bucket", verdicts[account], at(10), f"by {account}"),
                    evaluation(f"bucket-{account}", verdicts[account], at(10), f"by {account}"),
                ],
                client=client,
            )
            self.assertEqual(out["FailedEvaluations"], [])
        for account, client in members.items():
            with self.subTest(account=account):
                self.assertEqual(
                    self.read_back(client),
                    [
                        (f"bucket-{account}", verdicts[account], f"by {account}"),
                        ("shared-bucket", verdicts[account], f"by {account}"),
                    ],
                )
        self.assertEqual(self.read_back(), [], "the default credentials see neither account's")

    def test_the_default_credentials_evaluations_stay_in_the_default_account(self):
        token = self.emulator.issue_token(RULE)
        self.put(token, [evaluation("default-bucket", "COMPLIANT", at(1))])
        self.assertEqual(self.read_back(), [("default-bucket", "COMPLIANT", None)])
        member = self.client("config", self.member_session(self.MEMBERS[0]))
        self.assertEqual(self.read_back(member), [])


class ControlRoutesTest(EmulatorCase):
    def test_the_result_token_route_rejects_bad_bodies(self):
        route = "/_emulator/config/result-tokens"
        for body in [
            [],
            {},
            {"configRuleName": ""},
            {"configRuleName": "r" * 129},
            {"configRuleName": "r", "resultToken": ""},
            {"configRuleName": "r", "bogus": 1},
        ]:
            with self.subTest(body=str(body)[:40]):
                status, answer = self.emulator.control("POST", route, body)
                self.assertEqual(status, 400, answer)
                self.assertTrue(answer["message"])
        self.emulator.register_token("rule-a", "shared-token")
        status, answer = self.emulator.control(
            "POST", route, {"configRuleName": "rule-b", "resultToken": "shared-token"}
        )
        self.assertEqual(status, 400)
        self.assertIn("rule-a", answer["message"])

    def test_calls_are_counted_per_operation(self):
        self.call(self.am, "get_account_status")
        self.call(self.am, "get_account_status")
        self.emulator.issue_token(RULE)
        self.details(RULE)
        status, calls = self.emulator.control("GET", "/_emulator/calls")
        self.assertEqual(status, 200)
        self.assertEqual(calls, {"GetAccountStatus": 2, "GetComplianceDetailsByConfigRule": 1})


if __name__ == "__main__":
    unittest.main()

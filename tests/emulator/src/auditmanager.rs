//! AWS Audit Manager (rest-json) emulation: account status, assessments, manual evidence
//! import, evidence folders and evidence.
//!
//! Manual evidence is filed the way the user guide describes it: one folder per control per
//! UTC day, at most 100 manual uploads per control per day. The shape of a manual *text*
//! evidence record returned by `GetEvidenceByEvidenceFolder` is not documented by AWS; the
//! emulator puts the text into `attributes.textResponse` (see [`Evidence`]).

use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, PoisonError};

use hyper::header::HeaderValue;
use hyper::{Method, StatusCode};
use serde_json::{Map, Value, json};

use crate::faults::Faults;
use crate::http::{
    HttpResponse, Query, REST_JSON, decode_token, epoch_now, is_uuid, json, page, percent_decode,
    utc_day,
};
use crate::seed::{AssessmentStatus, Seed, SeedAssessment, SeedControl, SeedControlSet};

/// Manual evidence uploads allowed per control per UTC day.
pub(crate) const DAILY_MANUAL_EVIDENCE_QUOTA: usize = 100;
/// Most items one `BatchImportEvidenceToAssessmentControl` call may carry.
const MAX_ITEMS_PER_IMPORT: usize = 50;

/// The emulated Audit Manager of one account and Region.
#[derive(Debug)]
pub(crate) struct AuditManager {
    seed: Seed,
    store: Mutex<Store>,
}

#[derive(Debug, Default)]
struct Store {
    folders: Vec<Folder>,
    evidence: Vec<Evidence>,
}

/// One evidence folder: manual evidence of one control on one UTC day.
#[derive(Debug)]
struct Folder {
    id: String,
    assessment_id: String,
    control_set_id: String,
    control_id: String,
    control_name: String,
    day: i64,
    name: String,
    date: f64,
    evidence: Vec<usize>,
}

/// One stored manual evidence record.
///
/// AWS documents `Evidence.attributes` only as "the names and values that are used by the
/// evidence event" and does not document how a manual `textResponse` appears in it. The
/// emulator's convention: a text item becomes `attributes = {"textResponse": <text>}`, an S3
/// item becomes `attributes = {"s3ResourcePath": <path>}` plus
/// `resourcesIncluded = [{"value": <path>}]`, and a file item becomes
/// `attributes = {"evidenceFileName": <name>}`.
///
/// A known departure from the model: it caps an `EvidenceAttributeValue` at 200 characters,
/// while a text item may have 1000 and comes back whole (the project's readers rely on that).
#[derive(Debug)]
struct Evidence {
    id: String,
    folder_id: String,
    time: f64,
    attributes: BTreeMap<String, String>,
    resources: Vec<String>,
}

/// An Audit Manager error answer.
#[derive(Debug)]
enum AmError {
    Validation {
        message: String,
        reason: &'static str,
        fields: Vec<(String, String)>,
    },
    NotFound {
        message: String,
        resource_id: String,
        resource_type: &'static str,
    },
    AccessDenied,
    Throttling,
    UnknownOperation,
}

type AmResult = Result<Value, AmError>;

/// A `fieldValidationFailed` ValidationException about one field.
fn invalid(field: &str, constraint: &str) -> AmError {
    AmError::Validation {
        message: format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: {constraint}"
        ),
        reason: "fieldValidationFailed",
        fields: vec![(field.to_owned(), constraint.to_owned())],
    }
}

fn not_found(resource_type: &'static str, resource_id: &str) -> AmError {
    AmError::NotFound {
        message: format!("The {resource_type} with id {resource_id} does not exist."),
        resource_id: resource_id.to_owned(),
        resource_type,
    }
}

impl AmError {
    fn into_response(self) -> HttpResponse {
        let (status, name, body) = match self {
            Self::Validation {
                message,
                reason,
                fields,
            } => {
                let fields: Vec<Value> = fields
                    .into_iter()
                    .map(|(name, message)| json!({"name": name, "message": message}))
                    .collect();
                (
                    StatusCode::BAD_REQUEST,
                    "ValidationException",
                    json!({"message": message, "reason": reason, "fields": fields}),
                )
            }
            Self::NotFound {
                message,
                resource_id,
                resource_type,
            } => (
                StatusCode::NOT_FOUND,
                "ResourceNotFoundException",
                json!({"message": message, "resourceId": resource_id, "resourceType": resource_type}),
            ),
            Self::AccessDenied => (
                StatusCode::FORBIDDEN,
                "AccessDeniedException",
                json!({"message": "Your account isn't registered with AWS Audit Manager, or you don't have the required permissions (access denied by the emulator)."}),
            ),
            Self::Throttling => (
                StatusCode::TOO_MANY_REQUESTS,
                "ThrottlingException",
                json!({"message": "Rate exceeded"}),
            ),
            Self::UnknownOperation => (
                StatusCode::NOT_FOUND,
                "UnknownOperationException",
                json!({"message": "The requested operation is not supported by the emulator."}),
            ),
        };
        let mut resp = json(status, REST_JSON, &body);
        resp.headers_mut()
            .insert("x-amzn-ErrorType", HeaderValue::from_static(name));
        resp
    }
}

/// A recognised request, with its path segments still percent-encoded.
enum Route<'a> {
    AccountStatus,
    ListAssessments,
    GetAssessment(&'a str),
    Import {
        assessment: &'a str,
        set: &'a str,
        control: &'a str,
    },
    Folders {
        assessment: &'a str,
        set: &'a str,
        control: &'a str,
    },
    FolderEvidence {
        assessment: &'a str,
        set: &'a str,
        folder: &'a str,
    },
    Unknown,
}

impl<'a> Route<'a> {
    fn parse(method: &Method, path: &'a str) -> Self {
        let segments: Vec<&str> = path.strip_prefix('/').unwrap_or(path).split('/').collect();
        match (method, segments.as_slice()) {
            (&Method::GET, ["account", "status"]) => Self::AccountStatus,
            (&Method::GET, ["assessments"]) => Self::ListAssessments,
            (&Method::GET, ["assessments", id]) => Self::GetAssessment(id),
            (
                &Method::POST,
                [
                    "assessments",
                    a,
                    "controlSets",
                    s,
                    "controls",
                    c,
                    "evidence",
                ],
            ) => Self::Import {
                assessment: a,
                set: s,
                control: c,
            },
            (
                &Method::GET,
                [
                    "assessments",
                    a,
                    "evidenceFolders-by-assessment-control",
                    s,
                    c,
                ],
            ) => Self::Folders {
                assessment: a,
                set: s,
                control: c,
            },
            (
                &Method::GET,
                [
                    "assessments",
                    a,
                    "controlSets",
                    s,
                    "evidenceFolders",
                    f,
                    "evidence",
                ],
            ) => Self::FolderEvidence {
                assessment: a,
                set: s,
                folder: f,
            },
            _ => Self::Unknown,
        }
    }

    fn operation(&self) -> &'static str {
        match self {
            Self::AccountStatus => "GetAccountStatus",
            Self::ListAssessments => "ListAssessments",
            Self::GetAssessment(_) => "GetAssessment",
            Self::Import { .. } => "BatchImportEvidenceToAssessmentControl",
            Self::Folders { .. } => "GetEvidenceFoldersByAssessmentControl",
            Self::FolderEvidence { .. } => "GetEvidenceByEvidenceFolder",
            Self::Unknown => "UnknownOperation",
        }
    }
}

/// Percent-decodes a path label.
fn label(raw: &str, field: &str) -> Result<String, AmError> {
    percent_decode(raw)
        .ok_or_else(|| invalid(field, "Member must be a valid percent-encoded UTF-8 string"))
}

fn uuid_label(raw: &str, field: &str) -> Result<String, AmError> {
    let value = label(raw, field)?;
    if value.len() != 36 {
        return Err(invalid(field, "Member must have length equal to 36"));
    }
    if !is_uuid(&value) {
        return Err(invalid(
            field,
            "Member must satisfy regular expression pattern: ^[a-f0-9]{8}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{4}-[a-f0-9]{12}$",
        ));
    }
    Ok(value)
}

fn control_set_label(raw: &str) -> Result<String, AmError> {
    let value = label(raw, "controlSetId")?;
    match value.chars().count() {
        0 => Err(invalid(
            "controlSetId",
            "Member must have length greater than or equal to 1",
        )),
        n if n > 300 => Err(invalid(
            "controlSetId",
            "Member must have length less than or equal to 300",
        )),
        _ => Ok(value),
    }
}

/// `maxResults` (1..=1000, default 1000) and the offset encoded in `nextToken`.
fn paging(query: &Query) -> Result<(usize, usize), AmError> {
    let max = match query.get("maxResults") {
        None => 1000,
        Some(raw) => match raw.parse::<i64>() {
            Ok(n) if (1..=1000).contains(&n) => usize::try_from(n).unwrap_or(1000),
            Ok(n) if n < 1 => {
                return Err(invalid(
                    "maxResults",
                    "Member must have value greater than or equal to 1",
                ));
            }
            Ok(_) => {
                return Err(invalid(
                    "maxResults",
                    "Member must have value less than or equal to 1000",
                ));
            }
            Err(_) => return Err(invalid("maxResults", "Member must be an integer")),
        },
    };
    let offset = match query.get("nextToken") {
        None => 0,
        Some(token) => decode_token(token)
            .ok_or_else(|| invalid("nextToken", "The nextToken is invalid or has expired"))?,
    };
    Ok((max, offset))
}

fn with_next(mut body: Value, next: Option<String>) -> Value {
    if let (Some(next), Some(obj)) = (next, body.as_object_mut()) {
        obj.insert("nextToken".to_owned(), Value::String(next));
    }
    body
}

impl AuditManager {
    pub(crate) fn new(seed: Seed) -> Self {
        Self {
            seed,
            store: Mutex::new(Store::default()),
        }
    }

    /// The seed this service serves.
    pub(crate) fn seed(&self) -> &Seed {
        &self.seed
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn role_arn(&self) -> String {
        format!("arn:aws:iam::{}:role/emulator", self.seed.account_id)
    }

    /// Serves one Audit Manager request.
    pub(crate) fn handle(
        &self,
        faults: &Faults,
        method: &Method,
        path: &str,
        query: Option<&str>,
        body: &[u8],
    ) -> HttpResponse {
        let route = Route::parse(method, path);
        faults.record_call(route.operation());
        let result = if matches!(route, Route::Unknown) {
            Err(AmError::UnknownOperation)
        } else if faults.denied() {
            Err(AmError::AccessDenied)
        } else {
            match Query::parse(query) {
                None => Err(invalid(
                    "queryString",
                    "Member must be a valid percent-encoded query string",
                )),
                Some(query) => self.dispatch(faults, route, &query, body),
            }
        };
        match result {
            Ok(value) => json(StatusCode::OK, REST_JSON, &value),
            Err(err) => err.into_response(),
        }
    }

    fn dispatch(&self, faults: &Faults, route: Route<'_>, query: &Query, body: &[u8]) -> AmResult {
        match route {
            Route::AccountStatus => Ok(json!({"status": "ACTIVE"})),
            Route::ListAssessments => self.list_assessments(query),
            Route::GetAssessment(id) => self.get_assessment(&uuid_label(id, "assessmentId")?),
            Route::Import {
                assessment,
                set,
                control,
            } => {
                if faults.take_throttle() {
                    return Err(AmError::Throttling);
                }
                let assessment = uuid_label(assessment, "assessmentId")?;
                let set = control_set_label(set)?;
                let control = uuid_label(control, "controlId")?;
                self.import(faults, &assessment, &set, &control, body)
            }
            Route::Folders {
                assessment,
                set,
                control,
            } => {
                let assessment = uuid_label(assessment, "assessmentId")?;
                let set = control_set_label(set)?;
                let control = uuid_label(control, "controlId")?;
                self.folders(&assessment, &set, &control, query)
            }
            Route::FolderEvidence {
                assessment,
                set,
                folder,
            } => {
                let assessment = uuid_label(assessment, "assessmentId")?;
                let set = control_set_label(set)?;
                let folder = uuid_label(folder, "evidenceFolderId")?;
                self.folder_evidence(&assessment, &set, &folder, query)
            }
            Route::Unknown => Err(AmError::UnknownOperation),
        }
    }

    fn find_assessment(&self, id: &str) -> Result<&SeedAssessment, AmError> {
        self.seed
            .assessment(id)
            .ok_or_else(|| not_found("ASSESSMENT", id))
    }

    fn find_control<'s>(
        assessment: &'s SeedAssessment,
        set_id: &str,
        control_id: &str,
    ) -> Result<(&'s SeedControlSet, &'s SeedControl), AmError> {
        let set = assessment
            .control_sets
            .iter()
            .find(|s| s.id == set_id)
            .ok_or_else(|| not_found("CONTROL_SET", set_id))?;
        let control = set
            .controls
            .iter()
            .find(|c| c.id == control_id)
            .ok_or_else(|| not_found("CONTROL", control_id))?;
        Ok((set, control))
    }

    fn list_assessments(&self, query: &Query) -> AmResult {
        let status = match query.get("status") {
            None => None,
            Some(s @ ("ACTIVE" | "INACTIVE")) => Some(s),
            Some(_) => {
                return Err(invalid(
                    "status",
                    "Member must satisfy enum value set: [ACTIVE, INACTIVE]",
                ));
            }
        };
        let (max, offset) = paging(query)?;
        let matching: Vec<&SeedAssessment> = self
            .seed
            .assessments
            .iter()
            .filter(|a| status.is_none_or(|s| a.status.as_str() == s))
            .collect();
        let (range, next) = page(matching.len(), offset, max);
        let items: Vec<Value> = matching[range]
            .iter()
            .map(|a| {
                json!({
                    "id": a.id,
                    "name": a.name,
                    "complianceType": a.compliance_type,
                    "status": a.status.as_str(),
                    "roles": [],
                    "delegations": [],
                    "creationTime": a.creation_time,
                    "lastUpdated": a.creation_time,
                })
            })
            .collect();
        Ok(with_next(json!({"assessmentMetadata": items}), next))
    }

    fn get_assessment(&self, id: &str) -> AmResult {
        let a = self.find_assessment(id)?;
        let store = self.lock();
        let count = |set: &str, control: Option<&str>| -> usize {
            store
                .folders
                .iter()
                .filter(|f| {
                    f.assessment_id == a.id
                        && f.control_set_id == set
                        && control.is_none_or(|c| f.control_id == c)
                })
                .map(|f| f.evidence.len())
                .sum()
        };
        let active = a.status == AssessmentStatus::Active;
        let control_sets: Vec<Value> = a
            .control_sets
            .iter()
            .map(|set| {
                let controls: Vec<Value> = set
                    .controls
                    .iter()
                    .map(|c| {
                        json!({
                            "id": c.id,
                            "name": c.name,
                            "description": c.description,
                            "status": if active { "UNDER_REVIEW" } else { "REVIEWED" },
                            "response": "MANUAL",
                            "comments": [],
                            "evidenceSources": [],
                            "evidenceCount": count(&set.id, Some(&c.id)),
                            "assessmentReportEvidenceCount": 0,
                        })
                    })
                    .collect();
                json!({
                    "id": set.id,
                    "description": set.description,
                    "status": if active { "ACTIVE" } else { "REVIEWED" },
                    "roles": [],
                    "controls": controls,
                    "delegations": [],
                    "systemEvidenceCount": 0,
                    "manualEvidenceCount": count(&set.id, None),
                })
            })
            .collect();
        let (account, region) = (&self.seed.account_id, &self.seed.region);
        Ok(json!({
            "assessment": {
                "arn": format!("arn:aws:auditmanager:{region}:{account}:assessment/{}", a.id),
                "awsAccount": {"id": account, "name": "emulator"},
                "metadata": {
                    "id": a.id,
                    "name": a.name,
                    "description": a.description,
                    "complianceType": a.compliance_type,
                    "status": a.status.as_str(),
                    "scope": {},
                    "roles": [],
                    "delegations": [],
                    "creationTime": a.creation_time,
                    "lastUpdated": a.creation_time,
                    "assessmentReportsDestination": {},
                },
                "framework": {
                    "id": a.framework_id,
                    "arn": format!("arn:aws:auditmanager:{region}::assessmentFramework/{}", a.framework_id),
                    "metadata": {"name": a.framework_name, "description": a.framework_description},
                    "controlSets": control_sets,
                },
                "tags": {},
            },
            "userRole": {"roleType": "PROCESS_OWNER", "roleArn": self.role_arn()},
        }))
    }

    fn import(
        &self,
        faults: &Faults,
        assessment_id: &str,
        set_id: &str,
        control_id: &str,
        body: &[u8],
    ) -> AmResult {
        let items = parse_manual_evidence(body)?;
        let assessment = self.find_assessment(assessment_id)?;
        let (_, control) = Self::find_control(assessment, set_id, control_id)?;
        if assessment.status != AssessmentStatus::Active {
            return Err(AmError::Validation {
                message: format!(
                    "The assessment {assessment_id} is inactive: you cannot upload manual evidence to an inactive assessment."
                ),
                reason: "other",
                fields: Vec::new(),
            });
        }

        let now = epoch_now(faults.clock_offset());
        let (day, day_name) = utc_day(now);
        let mut store = self.lock();
        let mut errors = Vec::new();
        for ManualItem { sent, field, value } in items {
            if faults.take_item_failure() {
                errors.push(json!({
                    "manualEvidence": sent,
                    "errorCode": "500",
                    "errorMessage": "InternalServerException: injected",
                }));
                continue;
            }
            let folder_index =
                store.folder_for(assessment_id, set_id, control, day, &day_name, now);
            if store.folders[folder_index].evidence.len() >= DAILY_MANUAL_EVIDENCE_QUOTA {
                errors.push(json!({
                    "manualEvidence": sent,
                    "errorCode": "400",
                    "errorMessage": format!(
                        "You have reached the daily quota of {DAILY_MANUAL_EVIDENCE_QUOTA} manual evidence uploads for this control. Upload the remaining evidence on another day."
                    ),
                }));
                continue;
            }
            let evidence_index = store.evidence.len();
            let folder = &mut store.folders[folder_index];
            folder.evidence.push(evidence_index);
            let folder_id = folder.id.clone();
            let resources = if field == "s3ResourcePath" {
                vec![value.clone()]
            } else {
                Vec::new()
            };
            store.evidence.push(Evidence {
                id: format!("e71de000-0000-4000-8000-{:012x}", evidence_index + 1),
                folder_id,
                time: now,
                attributes: BTreeMap::from([(field.to_owned(), value)]),
                resources,
            });
        }
        Ok(json!({"errors": errors}))
    }

    fn folders(
        &self,
        assessment_id: &str,
        set_id: &str,
        control_id: &str,
        query: &Query,
    ) -> AmResult {
        let assessment = self.find_assessment(assessment_id)?;
        Self::find_control(assessment, set_id, control_id)?;
        let (max, offset) = paging(query)?;
        let store = self.lock();
        let matching: Vec<&Folder> = store
            .folders
            .iter()
            .filter(|f| {
                f.assessment_id == assessment_id
                    && f.control_set_id == set_id
                    && f.control_id == control_id
            })
            .collect();
        let (range, next) = page(matching.len(), offset, max);
        let account = &self.seed.account_id;
        let folders: Vec<Value> = matching[range]
            .iter()
            .map(|f| {
                let resources: usize = f
                    .evidence
                    .iter()
                    .filter_map(|&i| store.evidence.get(i))
                    .map(|e| e.resources.len())
                    .sum();
                json!({
                    "id": f.id,
                    "name": f.name,
                    "date": f.date,
                    "assessmentId": f.assessment_id,
                    "controlSetId": f.control_set_id,
                    "controlId": f.control_id,
                    "dataSource": "Manual",
                    "author": format!("arn:aws:iam::{account}:role/emulator"),
                    "totalEvidence": f.evidence.len(),
                    "assessmentReportSelectionCount": 0,
                    "controlName": f.control_name,
                    "evidenceResourcesIncludedCount": resources,
                    "evidenceByTypeConfigurationDataCount": 0,
                    "evidenceByTypeManualCount": f.evidence.len(),
                    "evidenceByTypeComplianceCheckCount": 0,
                    "evidenceByTypeComplianceCheckIssuesCount": 0,
                    "evidenceByTypeUserActivityCount": 0,
                    "evidenceAwsServiceSourceCount": 0,
                })
            })
            .collect();
        Ok(with_next(json!({"evidenceFolders": folders}), next))
    }

    fn folder_evidence(
        &self,
        assessment_id: &str,
        set_id: &str,
        folder_id: &str,
        query: &Query,
    ) -> AmResult {
        let assessment = self.find_assessment(assessment_id)?;
        if !assessment.control_sets.iter().any(|s| s.id == set_id) {
            return Err(not_found("CONTROL_SET", set_id));
        }
        let (max, offset) = paging(query)?;
        let store = self.lock();
        let folder = store
            .folders
            .iter()
            .find(|f| {
                f.id == folder_id && f.assessment_id == assessment_id && f.control_set_id == set_id
            })
            .ok_or_else(|| not_found("EVIDENCE_FOLDER", folder_id))?;
        let (range, next) = page(folder.evidence.len(), offset, max);
        let account = &self.seed.account_id;
        let role = self.role_arn();
        let evidence: Vec<Value> = folder.evidence[range]
            .iter()
            .filter_map(|&i| store.evidence.get(i))
            .map(|e| {
                let attributes: Map<String, Value> = e
                    .attributes
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                    .collect();
                let resources: Vec<Value> =
                    e.resources.iter().map(|r| json!({"value": r})).collect();
                json!({
                    "id": e.id,
                    "evidenceFolderId": e.folder_id,
                    "dataSource": "Manual",
                    "evidenceByType": "Manual",
                    "evidenceAwsAccountId": account,
                    "awsAccountId": account,
                    "time": e.time,
                    "iamId": role,
                    "attributes": attributes,
                    "resourcesIncluded": resources,
                    "assessmentReportSelection": "No",
                })
            })
            .collect();
        Ok(with_next(json!({"evidence": evidence}), next))
    }
}

impl Store {
    /// Index of the folder of `control` for UTC day `day`, created on first use.
    fn folder_for(
        &mut self,
        assessment_id: &str,
        set_id: &str,
        control: &SeedControl,
        day: i64,
        day_name: &str,
        now: f64,
    ) -> usize {
        if let Some(i) = self.folders.iter().position(|f| {
            f.assessment_id == assessment_id
                && f.control_set_id == set_id
                && f.control_id == control.id
                && f.day == day
        }) {
            return i;
        }
        self.folders.push(Folder {
            id: format!("f01de000-0000-4000-8000-{:012x}", self.folders.len() + 1),
            assessment_id: assessment_id.to_owned(),
            control_set_id: set_id.to_owned(),
            control_id: control.id.clone(),
            control_name: control.name.clone(),
            day,
            name: day_name.to_owned(),
            date: now,
            evidence: Vec::new(),
        });
        self.folders.len() - 1
    }
}

/// Field names of `ManualEvidence`; an item sets exactly one of them.
const EVIDENCE_FIELDS: [&str; 3] = ["s3ResourcePath", "textResponse", "evidenceFileName"];

/// One validated `ManualEvidence` item.
#[derive(Debug)]
struct ManualItem {
    /// The item with just its one field (no nulls, nothing the model does not declare), as
    /// `errors` echoes it back.
    sent: Value,
    /// Which of [`EVIDENCE_FIELDS`] it sets.
    field: &'static str,
    /// Its value.
    value: String,
}

/// Validates a `BatchImportEvidenceToAssessmentControl` body.
fn parse_manual_evidence(body: &[u8]) -> Result<Vec<ManualItem>, AmError> {
    let doc: Value = serde_json::from_slice(body).map_err(|e| AmError::Validation {
        message: format!("The request body could not be parsed as JSON: {e}"),
        reason: "cannotParse",
        fields: Vec::new(),
    })?;
    let items = match doc.get("manualEvidence") {
        None | Some(Value::Null) => {
            return Err(invalid("manualEvidence", "Member must not be null"));
        }
        Some(Value::Array(items)) => items,
        Some(_) => return Err(invalid("manualEvidence", "Member must be a list")),
    };
    if items.is_empty() {
        return Err(invalid(
            "manualEvidence",
            "Member must have length greater than or equal to 1",
        ));
    }
    if items.len() > MAX_ITEMS_PER_IMPORT {
        return Err(invalid(
            "manualEvidence",
            "Member must have length less than or equal to 50",
        ));
    }
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let at = |f: &str| format!("manualEvidence.{}.member.{f}", i + 1);
        let Some(obj) = item.as_object() else {
            return Err(invalid(
                &format!("manualEvidence.{}.member", i + 1),
                "Member must be a structure",
            ));
        };
        let present: Vec<(&'static str, &Value)> = EVIDENCE_FIELDS
            .iter()
            .filter_map(|&f| obj.get(f).filter(|v| !v.is_null()).map(|v| (f, v)))
            .collect();
        let [(field, value)] = present.as_slice() else {
            return Err(invalid(
                &format!("manualEvidence.{}.member", i + 1),
                "Member must set exactly one of evidenceFileName, s3ResourcePath, textResponse",
            ));
        };
        let Some(value) = value.as_str() else {
            return Err(invalid(&at(field), "Member must be a string"));
        };
        let chars = value.chars().count();
        match *field {
            "textResponse" => {
                if chars == 0 {
                    return Err(invalid(
                        &at(field),
                        "Member must have length greater than or equal to 1",
                    ));
                }
                if chars > 1000 {
                    return Err(invalid(
                        &at(field),
                        "Member must have length less than or equal to 1000",
                    ));
                }
            }
            "s3ResourcePath" => {
                if chars > 1024 {
                    return Err(invalid(
                        &at(field),
                        "Member must have length less than or equal to 1024",
                    ));
                }
                if !is_valid_s3_path(value) {
                    return Err(invalid(
                        &at(field),
                        r"Member must satisfy regular expression pattern: ^(S|s)3:\/\/[a-zA-Z0-9\-\.\(\)\'\*\_\!\=\+\@\:\s\,\?\/]+$",
                    ));
                }
            }
            _ => {
                if chars == 0 {
                    return Err(invalid(
                        &at(field),
                        "Member must have length greater than or equal to 1",
                    ));
                }
                if chars > 300 {
                    return Err(invalid(
                        &at(field),
                        "Member must have length less than or equal to 300",
                    ));
                }
                if value.contains('/') {
                    return Err(invalid(
                        &at(field),
                        r"Member must satisfy regular expression pattern: [^\/]*",
                    ));
                }
            }
        }
        out.push(ManualItem {
            sent: Value::Object(Map::from_iter([(
                (*field).to_owned(),
                Value::String(value.to_owned()),
            )])),
            field,
            value: value.to_owned(),
        });
    }
    Ok(out)
}

/// `^(S|s)3://[a-zA-Z0-9\-\.\(\)'\*_!=\+@:\s,\?/]+$` (`\s` as in Java: space, \t, \n, \x0B, \f, \r).
fn is_valid_s3_path(path: &str) -> bool {
    let Some(rest) = path
        .strip_prefix("s3://")
        .or_else(|| path.strip_prefix("S3://"))
    else {
        return false;
    };
    !rest.is_empty()
        && rest.chars().all(|c| {
            c.is_ascii_alphanumeric()
                || matches!(
                    c,
                    '-' | '.'
                        | '('
                        | ')'
                        | '\''
                        | '*'
                        | '_'
                        | '!'
                        | '='
                        | '+'
                        | '@'
                        | ':'
                        | ','
                        | '?'
                        | '/'
                )
                || matches!(c, ' ' | '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r')
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_path_pattern_matches_the_model() {
        assert!(is_valid_s3_path("s3://bucket/key-1.json"));
        assert!(is_valid_s3_path("S3://bucket/a b,c?d=e+f@g:h"));
        assert!(!is_valid_s3_path("s3://"));
        assert!(!is_valid_s3_path("https://bucket/key"));
        assert!(!is_valid_s3_path("s3://bucket/ké"));
        assert!(!is_valid_s3_path("s3://bucket/a#b"));
    }

    #[test]
    fn manual_evidence_items_need_exactly_one_field() {
        assert!(parse_manual_evidence(br#"{"manualEvidence":[{"textResponse":"a"}]}"#).is_ok());
        assert!(parse_manual_evidence(br#"{"manualEvidence":[{}]}"#).is_err());
        assert!(
            parse_manual_evidence(
                br#"{"manualEvidence":[{"textResponse":"a","evidenceFileName":"f"}]}"#
            )
            .is_err()
        );
        assert!(
            parse_manual_evidence(br#"{"manualEvidence":[{"evidenceFileName":"a/b"}]}"#).is_err()
        );
        assert!(parse_manual_evidence(br#"{"manualEvidence":[]}"#).is_err());
        assert!(parse_manual_evidence(b"not json").is_err());
    }

    #[test]
    fn text_length_counts_characters_not_bytes() {
        let text = "é".repeat(1000);
        let body =
            serde_json::to_vec(&json!({"manualEvidence": [{"textResponse": text}]})).unwrap();
        assert!(parse_manual_evidence(&body).is_ok());
        let text = "é".repeat(1001);
        let body =
            serde_json::to_vec(&json!({"manualEvidence": [{"textResponse": text}]})).unwrap();
        assert!(parse_manual_evidence(&body).is_err());
    }
}

import OneStopCore

/// Component schemas of `/openapi.json` for applicants, cases and notices.
enum CaseSchemas {
    typealias S = OpenAPISchemas

    static func names<T: RawRepresentable & CaseIterable>(_ t: T.Type) -> JSONValue where T.RawValue == String {
        ["enum": .array(t.allCases.map { .string($0.rawValue) })]
    }

    static let applicantFields: [String: JSONValue] = [
        "kind": names(ApplicantKind.self), "name": S.string,
        "idNumber": ["type": "string", "description": "resident ID number (GB 11643) or unified social credit code (GB 32100)"],
        "phone": S.string, "contact": ["type": "string", "description": "an entity's contact person"],
    ]
    static let marks: JSONValue = [
        "type": "array", "description": "one per material of the guide, in order",
        "items": S.object(["status": names(MaterialStatus.self), "note": S.string], required: ["status"]),
    ]

    static let all: [String: JSONValue] = [
        "RegisterApplicantInput": S.object(
            applicantFields.merging(["password": S.string]) { a, _ in a }, required: ["name", "idNumber", "phone", "password"]),
        "Applicant": S.object(
            applicantFields.merging(["id": S.uuid, "registered": S.bool]) { a, _ in a }
                .merging(["idNumber": ["type": "string", "description": "a resident ID number is masked for staff"]]) { _, b in b }),
        "RegisteredApplicant": S.object(["applicant": OpenAPIDocument.ref("Applicant"), "username": S.string]),
        "IntakeInput": S.object(
            [
                "center": ["type": "string", "description": "center id or code; the caller's own when left out"],
                "item": ["type": "string", "description": "item id or code"], "applicantID": S.uuid,
                "applicant": S.object(applicantFields), "ticket": S.uuid, "materials": marks,
                "form": ["type": "object", "additionalProperties": S.string],
                "special": ["type": "string", "description": "特事特办 from the start: elderly, disabled, non_local, key_project"],
                "specialReason": S.string,
                "accept": [
                    "type": "boolean",
                    "description": "accept on the spot (every required material provided): the 受理通知书 is issued instead of the 服务告知单",
                ],
            ], required: ["item", "materials"]),
        "CaseActionInput": S.object([
            "reason": S.string, "materials": marks, "days": ["type": "integer", "minimum": 1, "maximum": 60],
            "procedure": S.string, "outcome": ["enum": ["approved", "not_approved"]],
            "method": ["enum": ["window", "mail", "electronic"]], "recipient": S.string,
            "fee": ["type": "string", "description": "a decision's fee in 元, e.g. 12.50"],
            "licenceNumber": ["type": "string", "maxLength": 60, "description": "an approval's licence or document number"],
            "validUntil": ["type": "string", "format": "date", "description": "the last day an issued licence is valid"],
        ]),
        "IntakeMirror": S.object([
            "itemName": S.string, "name": S.string, "idNumber": S.string, "phone": S.string,
            "materials": ["type": "array", "items": S.object(["name": S.string, "status": S.string])],
            "version": S.integer, "confirmed": S.bool, "disputed": S.bool, "at": S.dateTime,
        ]),
        "IntakeMirrorAnswer": S.object(["version": S.integer, "confirmed": S.bool], required: ["version", "confirmed"]),
        "SpecialInput": S.object([
            "special": ["enum": .array(SpecialHandling.allCases.map { .string($0.rawValue) } + [.string("")])],
            "reason": ["type": "string", "maxLength": 200],
        ]),
        "ApplicantLookup": S.object([
            "found": S.bool, "id": S.optionalUUID, "name": S.optionalString,
            "phone": ["type": ["string", "null"], "description": "masked"],
            "contact": S.optionalString, "cases": S.integer,
            "recent": [
                "type": "array", "items": S.object(["number": S.string, "itemName": S.string, "receivedOn": S.date, "state": S.string]),
            ],
            "licences": ["type": "array", "items": S.object(["kind": S.string, "number": S.string])],
            "exempt": [
                "type": "array",
                "items": S.object(["position": S.integer, "kind": S.string, "number": S.string, "note": S.string]),
            ],
        ]),
        "Licence": S.object([
            "id": S.uuid, "number": S.string, "kind": S.string, "itemName": S.string, "authority": S.string, "holderName": S.string,
            "holderID": S.string, "issuedOn": S.date, "validUntil": S.optionalString, "state": ["enum": ["valid", "revoked"]],
            "sha256": S.string, "verifyURL": S.string, "code": S.string, "pdfURL": S.string,
        ]),
        "TrackInput": S.object(
            ["number": S.string, "idTail": ["type": "string", "minLength": 4, "maxLength": 4]], required: ["number", "idTail"]),
        "CaseSummary": S.object([
            "id": S.uuid, "number": S.string, "itemName": S.string, "state": names(CaseState.self), "receivedOn": S.date,
            "promisedDue": ["type": ["string", "null"], "format": "date"],
            "daysLeft": ["type": ["integer", "null"], "description": "with mine=true: working days to the promised date"],
            "level": ["type": ["string", "null"], "description": "with mine=true: normal, reminder, yellow or red"],
            "dueProvisional": ["type": "boolean", "description": "the promised date lies in a provisional calendar year"],
        ]),
        "NoticeSummary": S.object([
            "id": S.uuid, "kind": names(NoticeKind.self), "serial": S.string, "issuedAt": S.dateTime, "issuedBy": S.string,
            "sha256": S.string, "printURL": S.string,
        ]),
        "Notice": S.object(["notice": OpenAPIDocument.ref("NoticeSummary"), "caseNumber": S.string, "html": S.string]),
        "Case": S.object([
            "id": S.uuid, "number": S.string, "centerID": S.uuid, "departmentID": S.uuid, "itemID": S.uuid, "itemCode": S.string,
            "itemName": S.string, "guideVersion": S.integer, "caseType": names(CaseType.self), "channel": ["enum": ["window", "online"]],
            "state": names(CaseState.self), "receivedOn": S.date, "acceptedOn": S.optionalString, "decidedOn": S.optionalString,
            "deliveredOn": S.optionalString, "applicant": OpenAPIDocument.ref("Applicant"),
            "fee": S.optionalString, "licenceNumber": S.optionalString,
            "licence": ["oneOf": [OpenAPIDocument.ref("Licence"), ["type": "null"]]],
            "special": S.optionalString, "specialReason": S.optionalString,
            "anonymisedAt": ["type": ["string", "null"], "format": "date-time"],
            "clock": [
                "oneOf": [
                    S.object([
                        "promisedDays": S.integer, "legalDays": S.integer, "extensionDays": S.integer, "used": S.optionalInteger,
                        "promisedLeft": S.optionalInteger, "legalLeft": S.optionalInteger, "promisedDue": S.optionalString,
                        "legalDue": S.optionalString, "stopped": S.bool, "provisional": S.bool,
                        "level": [
                            "type": ["string", "null"], "enum": .array(WarningLevel.allCases.map { .string($0.rawValue) } + [.null]),
                        ],
                    ]), ["type": "null"],
                ]
            ],
            "materials": [
                "type": "array",
                "items": S.object([
                    "position": S.integer, "name": S.string, "need": S.string, "status": names(MaterialStatus.self), "note": S.string,
                ]),
            ],
            "files": [
                "type": "array",
                "items": S.object([
                    "id": S.uuid, "position": S.integer, "filename": S.string, "contentType": S.string, "size": S.integer,
                    "sha256": S.string, "uploadedAt": S.dateTime, "downloadURL": S.string,
                ]),
            ],
            "form": ["type": "object", "additionalProperties": S.string],
            "events": [
                "type": "array",
                "items": S.object([
                    "seq": S.integer, "action": S.string, "fromState": S.string, "toState": S.string, "actor": S.string,
                    "at": S.dateTime, "day": S.date, "reason": S.string,
                ]),
            ],
            "notices": ["type": "array", "items": OpenAPIDocument.ref("NoticeSummary")],
            "tasks": ["type": "array", "items": OpenAPIDocument.ref("CaseTask")],
        ]),
        "Warning": S.object([
            "id": S.uuid, "number": S.string, "itemName": S.string, "itemCode": S.string, "centerID": S.uuid, "departmentID": S.uuid,
            "handlerID": S.optionalUUID, "state": names(CaseState.self), "promisedDue": S.optionalString, "legalDue": S.optionalString,
            "daysLeft": S.optionalInteger, "level": names(WarningLevel.self), "provisional": S.bool,
        ]),
        "AnomalyReport": S.object([
            "counts": ["type": "array", "items": S.object(["kind": S.string, "count": ["type": "integer"]])],
            "anomalies": [
                "type": "array",
                "items": S.object([
                    "id": S.uuid, "caseID": S.uuid, "caseNumber": S.string, "itemName": S.string, "centerID": S.uuid,
                    "departmentID": S.uuid, "kind": S.string, "day": S.date, "detail": S.string,
                ]),
            ],
        ]),
        "TaskWarning": S.object([
            "id": S.uuid, "caseID": S.uuid, "number": S.string, "itemName": S.string, "departmentID": S.uuid, "departmentName": S.string,
            "title": S.string, "dueOn": S.date, "daysLeft": S.optionalInteger, "level": names(WarningLevel.self),
        ]),
        "Card": S.object([
            "id": S.uuid, "caseID": S.optionalUUID, "ratingID": S.optionalUUID, "workOrderID": S.optionalUUID, "caseNumber": S.string,
            "centerID": S.uuid,
            "departmentID": S.uuid, "userID": S.optionalUUID,
            "kind": [
                "type": "string",
                "description":
                    "yellow, red, acceptance_step, delivery_step, special_step, task_step_<n> for the n-th co-department task, or rating_overdue for a bad rating not rectified in time",
            ],
            "reason": S.string, "issuedOn": S.date,
            "explainBy": S.date, "status": ["enum": ["open", "explained", "accepted", "rejected", "withdrawn"]], "explanation": S.string,
            "explainedBy": S.string, "decidedBy": S.string, "decisionNote": S.string, "late": S.bool,
        ]),
        "ExplanationInput": S.object(["text": S.string], required: ["text"]),
        "CardDecisionInput": S.object(["accept": S.bool, "note": S.string], required: ["accept"]),
        "SweepResult": S.object(["looked": S.integer]),
        "InboxMessage": S.object([
            "id": S.uuid, "event": S.string, "title": S.string, "body": S.string, "link": S.string, "createdAt": S.dateTime, "read": S.bool,
        ]),
        "Webhook": S.object([
            "id": S.uuid, "centerID": S.uuid, "url": S.string, "events": S.string, "active": S.bool,
            "secret": ["type": ["string", "null"], "description": "only in the answer that made it"],
        ]),
        "WebhookInput": S.object(
            [
                "centerID": S.uuid, "url": S.string,
                "events": [
                    "type": "string",
                    "description": "comma-separated: case.reminder, card.issued, card.explained, card.decided, case.retimed, or *",
                ],
            ], required: ["url"]),
        "Thresholds": S.object([
            "reminderDays": ["type": "array", "items": S.integer], "yellowAfterPromised": S.integer, "redAfterLegal": S.integer,
            "explainWithin": S.integer,
        ]),
        "Authorisations": S.object([
            "departmentID": S.uuid, "itemID": S.uuid, "approveOnSpot": S.bool, "reviewUpward": S.bool, "supervise": S.bool,
            "coordinate": S.bool, "restricted": S.bool,
        ]),
        "AuthorisationsInput": S.object([
            "approveOnSpot": S.bool, "reviewUpward": S.bool, "supervise": S.bool, "coordinate": S.bool,
        ]),
        "CaseTask": S.object([
            "id": S.uuid, "seq": S.integer, "departmentID": S.uuid, "departmentName": S.string, "title": S.string, "limitDays": S.integer,
            "startedOn": S.date, "dueOn": S.date, "state": ["enum": ["open", "done"]], "doneOn": S.optionalString, "doneBy": S.string,
            "note": S.string,
        ]),
        "CaseTaskInput": S.object(["departmentID": S.uuid, "title": S.string, "days": S.integer, "note": S.string]),
        "InquiryInput": S.object([
            "visitorName": S.string, "visitorPhone": S.string, "question": S.string,
            "item": ["type": "string", "description": "an item code: what it needs is recorded as told"],
            "answer": ["type": "string", "description": "the answer, or a note when handing over"], "userID": S.uuid,
        ]),
        "Inquiry": S.object([
            "id": S.uuid, "serial": S.string, "ownerName": S.string, "visitorName": S.string, "visitorPhone": S.string,
            "question": S.string, "itemName": S.string, "told": ["type": "array", "items": S.string],
            "status": ["enum": ["open", "answered", "handed_over"]], "answer": S.string, "handedToName": S.string,
            "createdAt": S.dateTime, "printURL": S.string,
        ]),
        "AgentProjectInput": S.object([
            "centerID": S.uuid, "name": S.string, "applicantID": S.uuid,
            "applicantNumber": ["type": "string", "description": "the applicant's ID number or credit code, instead of applicantID"],
            "agentID": S.uuid, "note": S.string, "caseNumber": S.string,
            "kind": ["enum": .array(AgentProjectKind.allCases.map { .string($0.rawValue) })],
            "consentMethod": ["enum": .array(ConsentMethod.allCases.map { .string($0.rawValue) })],
            "consentOn": S.date,
            "consentNote": ["type": "string", "maxLength": 500, "description": "for witnessed consent: the witnesses"],
        ]),
        "AgentProject": S.object([
            "id": S.uuid, "centerID": S.uuid, "name": S.string, "applicantName": S.string, "agentName": S.string, "note": S.string,
            "kind": S.string, "consentMethod": S.optionalString, "consentOn": S.optionalString, "consentNote": S.optionalString,
            "cases": [
                "type": "array",
                "items": S.object([
                    "id": S.uuid, "number": S.string, "itemName": S.string, "state": names(CaseState.self), "promisedDue": S.optionalString,
                ]),
            ],
        ]),
        "TrackedCase": S.object([
            "number": S.string, "itemName": S.string, "state": names(CaseState.self), "receivedOn": S.date,
            "acceptedOn": S.optionalString, "promisedDue": S.optionalString, "applicantName": S.string,
            "events": [
                "type": "array",
                "items": S.object(["action": S.string, "toState": S.string, "day": S.date, "at": S.dateTime]),
            ],
        ]),
    ]
}

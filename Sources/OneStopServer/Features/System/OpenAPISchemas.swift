import OneStopCore

/// Component schemas of `/openapi.json`.
enum OpenAPISchemas {
    static func object(_ props: [String: JSONValue], required: [String] = []) -> JSONValue {
        ["type": "object", "properties": .object(props), "required": .array(required.map { .string($0) })]
    }

    static let string: JSONValue = ["type": "string"]
    static let optionalString: JSONValue = ["type": ["string", "null"]]
    static let uuid: JSONValue = ["type": "string", "format": "uuid"]
    static let optionalUUID: JSONValue = ["type": ["string", "null"], "format": "uuid"]
    static let bool: JSONValue = ["type": "boolean"]
    static let integer: JSONValue = ["type": "integer"]
    static let date: JSONValue = ["type": "string", "format": "date"]
    static let dateTime: JSONValue = ["type": "string", "format": "date-time"]
    static let optionalDateTime: JSONValue = ["type": ["string", "null"], "format": "date-time"]
    static let optionalInteger: JSONValue = ["type": ["integer", "null"]]

    static let optionalNumber: JSONValue = ["type": ["number", "null"]]
    static let queueReportRow = object([
        "key": string, "label": string, "tickets": integer, "served": integer, "noShows": integer, "noShowRate": optionalNumber,
        "meanWaitSeconds": optionalNumber, "p90WaitSeconds": optionalNumber, "meanServiceSeconds": optionalNumber,
        "p90ServiceSeconds": optionalNumber, "idleSeconds": optionalInteger, "ratings": integer, "notRated": integer,
        "meanRating": optionalNumber, "badRatings": integer, "bookings": optionalInteger, "missedBookings": optionalInteger,
    ])

    static let queueTrendBucket = object([
        "key": string, "label": string, "tickets": integer, "meanWaitMinutes": optionalNumber,
    ])

    static let all: [String: JSONValue] = [
        "Problem": object(
            [
                "type": string, "title": string, "status": integer, "detail": string, "instance": string,
                "errors": ["type": "array", "items": object(["field": string, "code": string, "message": string])],
            ], required: ["title", "status"]),
        "LoginInput": object(["username": string, "password": string, "otp": string], required: ["username", "password"]),
        "Token": object([
            "token": string, "tokenType": string, "expiresAt": ["type": "string", "format": "date-time"],
            "user": OpenAPIDocument.ref("User"),
        ]),
        "CenterInput": object(
            [
                "name": string, "code": string, "level": ["enum": ["province", "city", "county", "township", "village"]],
                "parentID": optionalUUID, "address": string, "phone": optionalString, "officeHours": string,
                "commitment": string, "dutySeparation": ["enum": ["off", "promised", "timed"]],
            ],
            required: ["name", "code", "level"]),
        "Center": object([
            "id": uuid, "parentID": optionalUUID, "name": string, "code": string, "level": string,
            "address": string, "phone": optionalString, "officeHours": string, "commitment": string,
            "dutySeparation": string,
        ]),
        "DepartmentInput": object(
            [
                "centerID": uuid, "name": string, "code": string, "phone": optionalString, "chiefStaffID": optionalUUID,
                "canApproveOnSpot": bool, "canReviewReported": bool, "canSupervisePromised": bool, "canCoordinateJoint": bool,
                "commitment": string, "issuer": ["enum": ["department", "center"]], "issuerName": optionalString,
            ],
            required: ["centerID", "name", "code"]),
        "Department": object([
            "id": uuid, "centerID": uuid, "name": string, "code": string, "phone": optionalString, "chiefStaffID": optionalUUID,
            "authorisations": object(["approveOnSpot": bool, "reviewReported": bool, "supervisePromised": bool, "coordinateJoint": bool]),
            "issuer": string, "issuerName": optionalString,
            "commitment": string,
        ]),
        "WindowInput": object(
            [
                "centerID": uuid, "number": integer, "name": string, "kind": ["enum": ["department", "comprehensive"]],
                "departmentID": optionalUUID, "isOpen": bool, "phone": optionalString,
            ],
            required: ["centerID", "number", "name", "kind"]),
        "Window": object([
            "id": uuid, "centerID": uuid, "number": integer, "name": string, "kind": string, "departmentID": optionalUUID,
            "isOpen": bool, "phone": optionalString,
        ]),
        "StaffInput": object(
            [
                "centerID": uuid, "departmentID": optionalUUID, "name": string, "jobNumber": string, "post": string,
                "partyMember": bool, "duties": string, "commitment": string, "phone": optionalString, "idNumber": optionalString,
            ],
            required: ["centerID", "name", "jobNumber", "post"]),
        "Staff": object([
            "id": uuid, "centerID": uuid, "departmentID": optionalUUID, "name": string, "jobNumber": string, "post": string,
            "partyMember": bool, "duties": string, "commitment": string, "phoneMasked": optionalString, "idNumberMasked": optionalString,
        ]),
        "StaffProfile": object([
            "id": uuid, "name": string, "jobNumber": string, "post": string, "partyMember": bool, "duties": string,
            "commitment": string, "departmentName": optionalString, "centerName": string, "photoURL": optionalString,
            "windows": ["type": "array", "items": integer],
            "ratings": [
                "type": ["object", "null"], "description": "the last 12 months of ratings, oldest month first",
                "properties": [
                    "rated": integer, "bad": integer, "satisfaction": optionalNumber, "average": optionalNumber,
                    "months": [
                        "type": "array",
                        "items": object([
                            "month": string, "rated": integer, "satisfaction": optionalNumber, "average": optionalNumber,
                        ]),
                    ],
                ],
            ],
        ]),
        "UserInput": object(
            [
                "username": string, "displayName": string, "password": string, "role": string, "centerID": uuid,
                "departmentID": optionalUUID, "staffID": optionalUUID, "phone": optionalString,
            ],
            required: ["username", "displayName", "role", "centerID"]),
        "User": object([
            "id": uuid, "username": string, "displayName": string, "role": string, "centerID": uuid, "departmentID": optionalUUID,
            "staffID": optionalUUID, "phoneMasked": optionalString, "locked": bool, "disabled": bool,
            "twoFactor": bool,
        ]),
        "DeviceInput": object(
            [
                "label": string, "role": ["enum": ["kiosk", "hall_display", "window_evaluator"]], "centerID": uuid,
                "windowID": optionalUUID,
            ], required: ["label", "role", "centerID"]),
        "Device": object([
            "id": uuid, "label": string, "role": string, "centerID": uuid, "windowID": optionalUUID, "revoked": bool,
            "token": optionalString,
        ]),
        "CalendarDay": object([
            "date": date, "kind": ["enum": ["workday", "weekend", "holiday", "makeup_workday", "closure"]],
            "isWorkingDay": bool, "name": optionalString,
            "provisional": [
                "type": "boolean", "description": "the year has no imported national arrangement: only statutory days are off",
            ],
            "retimingID": ["type": ["string", "null"], "format": "uuid", "description": "after a change: the job re-timing open clocks"],
        ]),
        "SetDayInput": object(["kind": ["enum": ["holiday", "makeup_workday", "closure", "normal"]], "name": string], required: ["kind"]),
        "WorkingDaySum": object(["start": date, "days": integer, "result": date, "provisional": bool]),
        "WorkingDayCount": object(["from": date, "to": date, "workingDays": integer, "provisional": bool]),
        "CalendarYears": object([
            "centerID": uuid, "lastConfirmedYear": ["type": ["integer", "null"]],
            "years": [
                "type": "array",
                "items": object([
                    "year": integer, "status": ["enum": ["confirmed", "provisional"]], "provisional": bool, "source": optionalString,
                    "importedAt": ["type": ["string", "null"], "format": "date-time"], "importedBy": optionalString,
                    "localSource": optionalString, "statutoryDays": ["type": "array", "items": date],
                ]),
            ],
        ]),
        "CalendarRetiming": object([
            "id": uuid, "scope": string, "centerID": optionalUUID, "cause": ["enum": ["setDay", "import", "upgrade"]],
            "firstDay": date, "lastDay": date, "days": integer, "status": ["enum": ["pending", "running", "done", "failed"]],
            "cases": integer, "tasks": integer, "steps": integer, "withdrawn": integer, "notified": integer, "actor": string,
            "error": string, "createdAt": dateTime, "startedAt": ["type": ["string", "null"], "format": "date-time"],
            "finishedAt": ["type": ["string", "null"], "format": "date-time"],
            "sample": [
                "type": "array",
                "items": object(["id": uuid, "number": string, "what": string, "from": string, "to": string]),
            ],
        ]),
        "CalendarRetimingList": ["type": "array", "items": OpenAPIDocument.ref("CalendarRetiming")],
        "CalendarFile": ["type": "string", "description": "CSV with header date,kind,name or an iCalendar file"],
        "StaffPhoto": ["type": "string", "contentMediaType": "image/jpeg", "description": "JPEG or PNG bytes, at most 2 MB"],
        "CalendarImportResult": object([
            "year": integer, "days": integer, "retimingID": ["type": ["string", "null"], "format": "uuid"],
        ]),
        "ItemSummary": object([
            "id": uuid, "code": string, "name": string, "tier": string, "status": string, "centerID": uuid, "departmentID": uuid,
            "departmentName": optionalString, "versionInForce": ["type": ["integer", "null"]], "hasDraft": bool,
            "caseType": optionalString, "promisedDays": ["type": ["integer", "null"]], "legalDays": ["type": ["integer", "null"]],
        ]),
        "ItemSearch": object([
            "query": string, "total": integer, "suggestion": bool, "items": ["type": "array", "items": OpenAPIDocument.ref("ItemSummary")],
        ]),
        "ItemGuide": object(
            [
                "code": string, "name": string, "parentCode": optionalString, "type": string, "tier": string,
                "handlingKind": optionalString,
                "exerciseLevel": string, "caseType": string, "legalDays": integer, "promisedDays": integer,
                "fee": object(["free": bool, "standard": optionalString, "basis": optionalString]), "basis": string, "conditions": string,
                "materials": [
                    "type": "array",
                    "items": object(["name": string, "form": string, "copies": integer, "need": string, "condition": optionalString]),
                ],
                "steps": ["type": "array", "items": string],
                "specialProcedures": ["type": "array", "items": object(["name": string, "days": integer])], "officeHours": string,
                "consultPhone": string, "supervisePhone": string, "visits": integer, "onlineApplication": bool, "theme": string,
                "keywords": ["type": "array", "items": string], "windowNumbers": ["type": "array", "items": integer],
                "result": ["type": ["string", "null"], "description": "审批结果名称, what the item issues (营业执照)"],
            ]),
        "ItemInput": [
            "description":
                "The fields of ItemGuide, all optional on input, plus departmentID; kinds take the English code or the Chinese name",
            "allOf": [OpenAPIDocument.ref("ItemGuide"), object(["departmentID": uuid])],
        ],
        "Item": object([
            "id": uuid, "code": string, "status": ["enum": ["draft", "published", "withdrawn"]], "centerID": uuid, "departmentID": uuid,
            "versionInForce": ["type": ["integer", "null"]], "guide": OpenAPIDocument.ref("ItemGuide"),
            "draft": OpenAPIDocument.ref("ItemGuide"),
            "versions": ["type": "array", "items": object(["version": integer, "publishedAt": string, "publishedBy": string])],
            "delegations": ["type": "array", "items": OpenAPIDocument.ref("DelegationInput")],
        ]),
        "DelegationInput": object(
            ["centerID": uuid, "windowNumbers": ["type": "array", "items": integer], "consultPhone": optionalString],
            required: ["centerID", "windowNumbers"]),
        "ItemFile": ["type": "string", "description": "CSV (header: see README) or a JSON array of ItemInput"],
        "TemplateFile": [
            "type": "string", "contentMediaType": "application/octet-stream",
            "description": "the file's bytes: PDF, Word, Excel, JPEG or PNG (checked by content), at most 5 MB",
        ],
        "ItemFileInfo": object([
            "id": uuid, "material": string, "kind": ["enum": ["template", "example"]], "filename": string, "size": integer,
            "href": string,
        ]),
        "ImportReport": object([
            "dryRun": bool, "imported": bool, "rows": integer, "created": integer, "updated": integer,
            "errors": ["type": "array", "items": object(["line": integer, "field": string, "code": string, "message": string])],
        ]),
        "BundleInput": object(
            ["centerID": uuid, "name": string, "summary": string, "theme": string, "itemCodes": ["type": "array", "items": string]],
            required: ["centerID", "name", "theme", "itemCodes"]),
        "Bundle": object([
            "id": uuid, "centerID": uuid, "name": string, "summary": string, "theme": string,
            "items": ["type": "array", "items": OpenAPIDocument.ref("ItemSummary")],
            "materials": [
                "type": "array",
                "items": object([
                    "name": string, "form": string, "copies": integer, "need": string, "condition": optionalString,
                    "items": ["type": "array", "items": string],
                    "producedBy": ["type": ["string", "null"], "description": "an earlier item of the bundle issues it: not to bring"],
                ]),
            ],
        ]),
        "AuditEntry": object([
            "sequence": integer, "at": ["type": "string", "format": "date-time"], "actor": string, "action": string,
            "entityType": string, "entityID": string, "centerID": string, "detail": string, "hash": string,
        ]),
        "AuditPage": object([
            "entries": ["type": "array", "items": OpenAPIDocument.ref("AuditEntry")], "nextBefore": ["type": ["integer", "null"]],
        ]),
        "AuditVerification": object(["checked": integer, "intact": bool, "problem": optionalString]),
        "IssueTicketInput": object(
            [
                "center": ["type": "string", "description": "center code or id"],
                "group": ["type": "string", "description": "group id or letter"],
                "ticketClass": ["enum": ["ordinary", "green", "military"]],
            ], required: ["center", "group"]),
        "Ticket": object([
            "id": uuid, "number": string, "groupID": uuid, "groupPrefix": string, "groupName": string,
            "ticketClass": ["enum": ["military", "green", "appointment", "ordinary"]],
            "state": ["enum": ["waiting", "called", "serving", "parked", "finished", "expired", "transferred"]],
            "source": string, "issuedAt": dateTime, "calledAt": optionalDateTime, "windowNumber": optionalInteger,
            "windowName": optionalString, "ahead": optionalInteger, "estimatedWaitMinutes": optionalInteger, "calls": integer,
            "skips": integer, "rated": bool, "followToken": optionalString, "followURL": optionalString,
        ]),
        "WindowActionInput": object(["window": uuid], required: ["window"]),
        "TransferInput": object(["window": uuid, "group": uuid, "returnHere": bool], required: ["window", "group"]),
        "CallResult": object(["ticket": ["oneOf": [OpenAPIDocument.ref("Ticket"), ["type": "null"]]]]),
        "WindowDesk": object([
            "windowID": uuid, "number": integer, "name": string, "signedIn": bool, "staffName": optionalString, "paused": bool,
            "current": ["oneOf": [OpenAPIDocument.ref("Ticket"), ["type": "null"]]], "groups": ["type": "array", "items": string],
        ]),
        "RatingInput": object([
            "level": ["type": ["integer", "null"], "minimum": 1, "maximum": 5],
            "tags": [
                "type": "array",
                "items": [
                    "enum": .array(RatingTag.allCases.map { .string($0.rawValue) } + PraiseTag.allCases.map { .string($0.rawValue) })
                ],
            ],
            "text": string, "notRated": bool, "token": string,
            "channel": ["enum": ["qr_code", "kiosk", "web"], "description": "with a token: where the visit is rated (default qr_code)"],
        ]),
        "Rating": object([
            "id": uuid, "ticketID": optionalUUID, "level": optionalInteger, "tags": ["type": "array", "items": string], "text": string,
            "channel": string, "at": dateTime,
        ]),
        "StaffingForecast": object([
            "date": date, "weekday": integer, "daysObserved": integer, "targetMinutes": integer,
            "groups": [
                "type": "array",
                "items": object([
                    "id": uuid, "prefix": string, "name": string, "meanServiceSeconds": ["type": "number"], "measuredService": bool,
                    "plannedWindows": integer,
                    "hours": [
                        "type": "array",
                        "items": object([
                            "hour": integer, "arrivalsPerHour": ["type": "number"], "windows": optionalInteger,
                            "p90WaitSeconds": optionalNumber,
                        ]),
                    ],
                ]),
            ],
        ]),
        "QueueStatus": object([
            "centerCode": string, "centerName": string, "openToday": bool, "notice": string, "waiting": integer, "serving": integer,
            "noShowsToday": integer, "longestWaitSeconds": integer, "ratingTimeout": integer, "waitTargetMinutes": integer,
            "alerts": [
                "type": "array",
                "items": object([
                    "kind": ["enum": ["noOpenWindow", "overTarget"]], "group": string, "waiting": integer, "waitedSeconds": integer,
                ]),
            ],
            "groups": [
                "type": "array",
                "items": object([
                    "id": uuid, "prefix": string, "name": string, "waiting": integer, "serving": integer, "openWindows": integer,
                    "longestWaitSeconds": integer, "takesAppointments": bool,
                ]),
            ],
            "windows": [
                "type": "array",
                "items": object([
                    "id": uuid, "number": integer, "name": string, "open": bool, "paused": bool, "current": optionalString,
                    "currentState": optionalString,
                ]),
            ],
            "lastCalls": [
                "type": "array",
                "items": object(["number": string, "window": integer, "windowName": string, "at": dateTime, "callID": string]),
            ],
        ]),
        "QueueSettings": object([
            "interleave": integer, "ageingSeconds": integer, "maxSkips": integer, "checkInEarlyMinutes": integer,
            "checkInLateMinutes": integer, "voiceTemplate": string, "notice": string, "ratingTimeout": integer,
            "waitTargetMinutes": integer, "greenNonLocal": bool,
        ]),
        "ServiceGroup": object(
            [
                "id": uuid, "prefix": string, "name": string, "departmentID": optionalUUID, "sort": integer, "active": bool,
                "periods": ["type": "string", "description": "HH:MM-HH:MM,HH:MM-HH:MM"], "slotMinutes": integer,
                "slotCapacity": integer, "daysAhead": integer,
                "extendedPeriods": ["type": "string", "description": "延时服务 on working days, HH:MM-HH:MM,…; empty for none"],
                "weekendPeriods": ["type": "string", "description": "延时服务 on ordinary weekends, HH:MM-HH:MM,…; empty for none"],
                "windows": ["type": "array", "items": integer],
            ], required: ["prefix", "name"]),
        "QueueReport": object([
            "centerCode": string, "centerName": string, "from": date, "to": date, "by": ["enum": ["group", "window", "staff"]],
            "rows": ["type": "array", "items": queueReportRow], "total": queueReportRow,
            "byHour": ["type": "array", "items": queueTrendBucket, "description": "tickets by hour of issue, HH in the center's zone"],
            "byGroup": ["type": "array", "items": queueTrendBucket, "description": "tickets by service group (key: group id)"],
            "byDay": ["type": "array", "items": queueTrendBucket, "description": "tickets by day, every day of the range"],
        ]),
        "Slots": object([
            "group": uuid, "date": date, "open": bool,
            "slots": [
                "type": "array",
                "items": object([
                    "start": string, "end": string, "capacity": integer, "booked": integer, "available": bool, "past": bool,
                    "extended": bool,
                ]),
            ],
        ]),
        "BookInput": object(
            [
                "center": string, "group": string, "date": date, "slot": ["type": "string", "description": "HH:MM, the slot's start"],
                "name": string, "idNumber": string, "phone": string,
            ], required: ["center", "group", "date", "slot", "name", "idNumber", "phone"]),
        "WindowScreen": object([
            "windowID": uuid, "number": integer, "name": string, "stars": optionalInteger, "starsPeriod": optionalString,
            "starsComment": optionalString, "surveyPath": optionalString, "monthRated": integer,
            "monthSatisfaction": optionalNumber, "awards": ["type": "array", "items": string],
            "staff": ["oneOf": [OpenAPIDocument.ref("StaffProfile"), ["type": "null"]]],
        ]),
        "CancelInput": object(["idNumber": string], required: ["idNumber"]),
        "Appointment": object([
            "id": uuid, "code": string, "groupID": uuid, "groupName": string, "date": date, "slot": string, "name": string,
            "idNumberMasked": string, "phoneMasked": string, "state": ["enum": ["booked", "cancelled", "checked_in", "no_show"]],
            "ticket": ["oneOf": [OpenAPIDocument.ref("Ticket"), ["type": "null"]]], "extended": bool, "staffID": optionalUUID,
            "staffName": optionalString,
        ]),
    ]
}

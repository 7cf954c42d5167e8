import Foundation
import OneStopCore

/// The OpenAPI schemas of the selection's API (issue 22).
extension BrandSelectionRoutes {
    static let schemas: [String: JSONValue] = {
        typealias O = OpenAPISchemas
        let number: JSONValue = ["type": "number"]
        let optionalNumber: JSONValue = ["type": ["number", "null"]]
        let optionalInteger: JSONValue = ["type": ["integer", "null"]]
        let texts: JSONValue = ["type": "object", "additionalProperties": O.string]
        let score = O.object(["points": number, "comment": O.string], required: ["points", "comment"])
        let standing = O.object([
            "brandID": O.uuid, "name": O.string, "department": O.string, "state": O.string, "declaredAt": O.optionalDateTime,
            "experts": O.integer, "excluded": O.integer, "scored": O.integer, "expert": optionalNumber, "survey": optionalNumber,
            "votes": O.integer, "satisfaction": optionalNumber, "validComplaints": O.integer, "social": optionalNumber,
            "combined": optionalNumber, "rank": optionalInteger,
        ])
        let objection = O.object([
            "id": O.uuid, "brandID": O.uuid, "name": O.string, "contact": O.string, "text": O.string, "createdAt": O.dateTime,
            "answer": O.string, "answeredBy": O.string, "answeredAt": O.optionalDateTime,
        ])
        let weights = O.object([
            "expert": number, "survey": number, "rating": number, "complaintPenalty": number, "dropFrom": O.integer,
            "reviewMonths": O.integer,
        ])
        return [
            "BrandDeclarationInput": O.object(["assessment": texts, "requirements": O.string], required: ["assessment"]),
            "BrandDeclaration": O.object([
                "brandID": O.uuid, "campaignID": O.uuid, "assessment": texts, "requirements": O.string, "declaredBy": O.string,
                "declaredAt": O.dateTime,
            ]),
            "BrandExpertsInput": O.object(["experts": ["type": "array", "items": O.uuid]], required: ["experts"]),
            "BrandExpertCards": O.object([
                "brandID": O.uuid, "visible": O.bool,
                "cards": [
                    "type": "array",
                    "items": O.object([
                        "expertID": O.uuid, "expertName": O.string,
                        "excluded": ["type": ["string", "null"], "description": "own_department or declared"], "scored": O.bool,
                        "scores": ["oneOf": [["type": "object", "additionalProperties": score], ["type": "null"]]],
                        "total": optionalNumber,
                    ]),
                ],
            ]),
            "BrandScoreInput": O.object(["scores": ["type": "object", "additionalProperties": score], "conflict": O.bool]),
            "BrandSurveyInput": O.object(["closesOn": O.string]),
            "BrandSurvey": O.object([
                "id": O.uuid, "brandID": O.uuid, "brandName": O.string, "campaignID": O.uuid, "state": ["enum": ["open", "closed"]],
                "purpose": O.string, "round": O.integer, "closesOn": O.string, "votes": O.integer, "flagged": O.integer,
                "excluded": O.integer, "score": optionalNumber,
                "path": O.string,
            ]),
            "BrandVoteInput": O.object(
                [
                    "satisfaction": ["type": "integer", "minimum": 1, "maximum": 5], "comment": O.string, "phone": O.string,
                    "smsCode": O.string, "via": ["enum": ["qr", "link"]],
                ], required: ["satisfaction"]),
            "BrandVoteReceipt": O.object(["surveyID": O.uuid, "brandName": O.string, "votedAt": O.dateTime]),
            "BrandVote": O.object([
                "id": O.uuid, "level": O.integer, "comment": O.string, "channel": O.string, "flagged": O.bool, "excluded": O.string,
                "at": O.dateTime,
            ]),
            "BrandReasonInput": O.object(["reason": O.string]),
            "BrandDecisionInput": O.object(
                ["typical": ["type": "array", "items": O.uuid], "announce": O.bool, "weights": weights], required: ["typical"]),
            "BrandSelection": O.object([
                "campaignID": O.uuid, "decided": O.bool, "selectionID": O.optionalUUID, "announceUntil": O.optionalString,
                "noticePath": O.optionalString, "standings": ["type": "array", "items": standing],
                "objections": ["type": "array", "items": objection],
            ]),
            "BrandObjectionInput": O.object(
                ["brand": O.uuid, "name": O.string, "contact": O.string, "text": O.string], required: ["brand", "contact", "text"]),
            "BrandObjection": objection,
            "BrandAnswerInput": O.object(["answer": O.string], required: ["answer"]),
        ]
    }()
}

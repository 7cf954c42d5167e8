import Fluent
import Foundation
import OneStopCore
import Vapor

/// A bad rating with its handling, as the worklist and the API show it. The rater's identity is
/// never in it: the department learns what was said, not who said it.
struct BadRatingDTO: Content {
    var id: UUID
    var centerID: UUID
    var departmentID: UUID?
    var windowID: UUID?
    var staffID: UUID?
    var level: Int
    var channel: String
    var tags: [String]
    var text: String
    var ratedAt: Date
    var realName: Bool
    var assignedOn: String
    var dueOn: String
    var status: String
    var overdue: Bool
    var calledBackOn: String?
    var callBackReached: Bool?
    var callBackNote: String
    var resolution: String?
    var resolutionNote: String
    var resolvedOn: String?
    var resolvedOnTime: Bool
    var appeal: String?
    var appealReason: String
    var appealDecisionNote: String
    var excluded: Bool

    init(_ b: BadRatingModel, rating r: RatingModel?, today: CivilDate) {
        let flow = b.flow
        id = b.id!
        centerID = b.centerID
        departmentID = b.departmentID
        windowID = b.windowID
        staffID = b.staffID
        level = b.level
        channel = r?.channel ?? ""
        tags = (r?.tags ?? "").split(separator: ",").map(String.init)
        text = r?.text ?? ""
        ratedAt = Date(timeIntervalSince1970: Double(r?.at ?? b.createdAt) / 1000)
        realName = b.realName
        assignedOn = b.assignedOn
        dueOn = b.dueOn
        status = flow.status.rawValue
        overdue = flow.isOverdue(on: today)
        calledBackOn = b.calledBackOn
        callBackReached = b.callBackReached
        callBackNote = b.callBackNote
        resolution = b.resolution
        resolutionNote = b.resolutionNote
        resolvedOn = b.resolvedOn
        resolvedOnTime = flow.resolvedOnTime
        appeal = b.appeal
        appealReason = b.appealReason
        appealDecisionNote = b.appealDecisionNote
        excluded = flow.status == .excluded
    }
}

enum RatingAPIController {
    static let schemas: [String: JSONValue] = {
        typealias S = OpenAPISchemas
        return [
            "BadRating": S.object([
                "id": S.uuid, "centerID": S.uuid, "departmentID": S.optionalUUID, "windowID": S.optionalUUID, "staffID": S.optionalUUID,
                "level": S.integer, "channel": S.string, "tags": ["type": "array", "items": S.string], "text": S.string,
                "ratedAt": S.dateTime, "realName": S.bool, "assignedOn": S.date, "dueOn": S.date,
                "status": CaseSchemas.names(BadRatingCase.Status.self), "overdue": S.bool, "calledBackOn": S.optionalString,
                "callBackReached": ["type": ["boolean", "null"]], "callBackNote": S.string,
                "resolution": ["enum": .array(BadRatingCase.Resolution.allCases.map { .string($0.rawValue) } + [.null])],
                "resolutionNote": S.string, "resolvedOn": S.optionalString, "resolvedOnTime": S.bool,
                "appeal": ["enum": .array(BadRatingCase.Appeal.allCases.map { .string($0.rawValue) } + [.null])],
                "appealReason": S.string, "appealDecisionNote": S.string, "excluded": S.bool,
            ]),
            "RatingDisclosure": S.object([
                "centerCode": S.string, "centerName": S.string, "subtree": S.bool, "month": S.string, "previousMonth": S.string,
                "figures": disclosureFigures, "previous": disclosureFigures,
                "topReasons": ["type": "array", "items": S.object(["tag": S.string, "label": S.string, "count": S.integer])],
                "rectifiedMore": S.bool, "page": S.integer,
                "rectified": [
                    "type": "array",
                    "items": S.object([
                        "resolvedOn": S.string, "department": S.string, "window": S.string,
                        "reasons": ["type": "array", "items": S.string],
                        "kind": S.string, "note": S.string,
                    ]),
                ],
            ]),
            "CallBackInput": S.object(["reached": S.bool, "note": S.string], required: ["reached", "note"]),
            "ResolutionInput": S.object(
                ["kind": CaseSchemas.names(BadRatingCase.Resolution.self), "note": S.string], required: ["kind", "note"]),
            "AppealInput": S.object(["reason": S.string], required: ["reason"]),
            "AppealDecisionInput": S.object(["upheld": S.bool, "note": S.string], required: ["upheld", "note"]),
            "RatingFlag": S.object([
                "id": S.uuid, "ratingID": S.uuid, "centerID": S.uuid, "signal": CaseSchemas.names(RatingFraud.Signal.self),
                "measured": S.integer, "explanation": S.string, "at": S.dateTime, "level": S.optionalInteger, "channel": S.string,
                "windowID": S.optionalUUID, "staffID": S.optionalUUID,
                "verdict": ["enum": .array(RatingFlags.Verdict.allCases.map { .string($0.rawValue) } + [.null])],
                "reviewNote": S.string, "reviewedBy": S.string, "excluded": S.bool,
            ]),
            "HotlineRatingInput": S.object(
                [
                    "caseNumber": S.string, "ticketNumber": S.string, "day": S.date, "callerName": S.string, "callerPhone": S.string,
                    "level": S.integer, "tags": ["type": "array", "items": S.string], "text": S.string,
                ], required: ["callerName", "callerPhone", "level"]),
            "RatingBreakdown": S.object([
                "month": S.string, "by": CaseSchemas.names(RatingBreakdown.By.self), "callBacksDue": S.integer,
                "resolutionsDue": S.integer, "appealsPending": S.integer, "overdue": S.integer,
                "rows": [
                    "type": "array",
                    "items": S.object([
                        "id": S.uuid, "name": S.string, "rated": S.integer, "bad": S.integer, "satisfaction": S.optionalNumber,
                        "average": S.optionalNumber, "callBackRate": S.optionalNumber, "onTimeRate": S.optionalNumber,
                        "excluded": S.integer,
                    ]),
                ],
            ]),
            "RatingFlagReview": S.object(
                ["verdict": CaseSchemas.names(RatingFlags.Verdict.self), "note": S.string], required: ["verdict", "note"]),
        ]
    }()

    static let disclosureFigures: JSONValue = {
        typealias S = OpenAPISchemas
        let counts: JSONValue = ["type": "object", "additionalProperties": S.integer]
        return S.object([
            "rated": S.integer, "notRated": S.integer, "satisfied": S.integer, "bad": S.integer, "excluded": S.integer,
            "levels": counts, "channels": counts, "satisfaction": S.optionalNumber, "average": S.optionalNumber,
            "callBackRate": S.optionalNumber, "onTimeRate": S.optionalNumber, "due": S.integer, "secondRound": S.integer,
            "secondRoundSatisfied": S.integer,
        ])
    }()

    static func register(_ api: any RoutesBuilder) {
        api.endpoint(
            .GET, "centers", ":id", "ratings", "disclosure", access: .public,
            operation: .init(
                id: "getRatingDisclosure",
                summary: "好差评公示: a center's (or its subtree's) ratings of a month, from the day figures; no rater is named",
                tag: "Ratings", response: "RatingDisclosure",
                query: [
                    .init(name: "month", type: "string", description: "YYYY-MM (default: this month)"),
                    .init(name: "subtree", type: "boolean", description: "the center with every center under it"),
                    .init(name: "page", type: "integer", description: "the page of the rectified list, 50 a page (default 1)"),
                ])
        ) { req in
            try await RatingDisclosure.of(
                center: req.parameters.get("id"), month: req.query[String.self, at: "month"],
                subtree: req.query[Bool.self, at: "subtree"] == true, req: req)
        }
        api.endpoint(
            .POST, "cases", ":id", "rating", access: .only(.applicant),
            operation: .init(
                id: "rateCase",
                summary: "一事一评: the applicant rates their own case once it is decided or delivered (one rating per case and round)",
                tag: "Ratings", request: "RatingInput", response: "Rating", successStatus: 201)
        ) { req in
            let r = try await CaseRating.rate(req.uuid("id"), try req.content.decode(CaseRating.Input.self), req: req)
            return try await OrgAPIController.created(RatingDTO(r), req)
        }
        api.endpoint(
            .POST, "ratings", ":id", "again", access: .public,
            operation: .init(
                id: "rateAgain",
                summary:
                    "Round 2: the rater of a rectified or explained bad rating rates again (the applicant signed in, or a visitor with the ticket's follow token)",
                tag: "Ratings", request: "RatingInput", response: "Rating", successStatus: 201)
        ) { req in
            let r = try await RateAgain.rate(req.uuid("id"), try req.content.decode(RateAgain.Input.self), req: req)
            return try await OrgAPIController.created(RatingDTO(r), req)
        }
        api.endpoint(
            .GET, "ratings", access: BadRatingService.viewers,
            operation: .init(
                id: "listRatings",
                summary:
                    "The bad-rating worklist of the caller's scope (a chief representative's department), the nearest deadline first",
                tag: "Ratings", response: "BadRating", responseIsList: true,
                query: [
                    .init(
                        name: "status", type: "string",
                        description: "call_back_due, resolution_due, appeal_pending, resolved or excluded"),
                    .init(name: "overdue", type: "boolean", description: "only those past their deadline unresolved"),
                    .init(name: "limit", type: "integer", description: "at most this many (1–500, default 100)"),
                ])
        ) { req in
            let limit = min(max(req.query[Int.self, at: "limit"] ?? 100, 1), 500)
            let rows = try await BadRatingService.list(
                status: req.query[String.self, at: "status"], overdue: req.query[Bool.self, at: "overdue"] == true, limit: limit, req: req)
            let ratings = try await RatingModel.query(on: req.db).filter(\.$id ~~ rows.compactMap(\.id)).all()
            let byID = Dictionary(uniqueKeysWithValues: ratings.map { ($0.id!, $0) })
            let today = HallClock.day(req.now)
            return rows.map { BadRatingDTO($0, rating: byID[$0.id!], today: today) }
        }
        api.endpoint(
            .GET, "ratings", ":id", access: BadRatingService.viewers,
            operation: .init(id: "getRating", summary: "A bad rating and its handling", tag: "Ratings", response: "BadRating")
        ) { req in
            let (b, r) = try await BadRatingService.visible(req.uuid("id"), req: req)
            return BadRatingDTO(b, rating: r, today: HallClock.day(req.now))
        }
        let steps: [(String, String, String, String, BadRatingService.Action, Access)] = [
            (
                "call-back", "recordCallback", "Record the call-back (回访) of a real-name bad rating", "CallBackInput", .callBack,
                BadRatingService.handlers
            ),
            (
                "resolution", "submitRectification", "Record the rectification (整改) or the explanation (说明) of a bad rating",
                "ResolutionInput", .resolve, BadRatingService.handlers
            ),
            (
                "appeal", "appealRating", "Appeal (申诉) a mistaken or malicious rating, with the reason", "AppealInput", .appeal,
                BadRatingService.handlers
            ),
        ]
        for (path, id, summary, input, action, access) in steps {
            api.endpoint(
                .POST, "ratings", ":id", PathComponent(stringLiteral: path), access: access,
                operation: .init(id: id, summary: summary, tag: "Ratings", request: input, response: "BadRating")
            ) { req in
                try await answer(action, req)
            }
        }
        api.endpoint(
            .POST, "ratings", ":id", "appeal", "decision", access: .only(.supervisor),
            operation: .init(
                id: "decideAppeal", summary: "A supervisor upholds (the rating leaves every figure) or rejects an appeal", tag: "Ratings",
                request: "AppealDecisionInput", response: "BadRating")
        ) { req in
            try await answer(.decideAppeal, req)
        }
        api.endpoint(
            .GET, "ratings", "figures", access: BadRatingService.viewers,
            operation: .init(
                id: "getRatingBreakdown",
                summary:
                    "A month's 好差评 figures by department, window, staff member or item in the caller's scope, the least satisfied first",
                tag: "Ratings", response: "RatingBreakdown",
                query: [
                    .init(name: "by", type: "string", description: "department (default), window, staff or item"),
                    .init(name: "month", type: "string", description: "YYYY-MM (default: this month)"),
                ])
        ) { req in
            try await RatingBreakdown.of(req)
        }
        api.endpoint(
            .POST, "ratings", "hotline", access: .only(.hotlineOperator),
            operation: .init(
                id: "recordHotlineRating",
                summary:
                    "热线评价: an operator records the rating a caller gives by phone, for a case (caseNumber) or a visit (ticketNumber and day); the caller is the rater, the operator is recorded",
                tag: "Ratings", request: "HotlineRatingInput", response: "Rating", successStatus: 201)
        ) { req in
            let r = try await HotlineRating.record(try req.content.decode(HotlineRating.Input.self), req: req)
            return try await OrgAPIController.created(RatingDTO(r), req)
        }
        api.endpoint(
            .GET, "ratings", "flags", access: RatingFlags.viewers,
            operation: .init(
                id: "listRatingFlags",
                summary:
                    "防刷评: ratings flagged as unusual (bursts from one source, answers too fast, one rater on many cases), newest first",
                tag: "Ratings", response: "RatingFlag", responseIsList: true,
                query: [.init(name: "reviewed", type: "string", description: "no (default: waiting for review), yes or all")])
        ) { req in
            try await RatingFlags.list(req)
        }
        api.endpoint(
            .POST, "ratings", "flags", ":id", "review", access: .only(.supervisor),
            operation: .init(
                id: "reviewRatingFlag",
                summary: "A supervisor clears a flag (an honest rating) or confirms it (the rating leaves every figure), with a note",
                tag: "Ratings", request: "RatingFlagReview", response: "RatingFlag")
        ) { req in
            try await RatingFlags.review(req.uuid("id"), try req.content.decode(RatingFlags.ReviewInput.self), req: req)
        }
    }

    private static func answer(_ action: BadRatingService.Action, _ req: Request) async throws -> BadRatingDTO {
        let id = try req.uuid("id")
        let input = try req.content.decode(BadRatingService.Step.self)
        let b = try await BadRatingService.act(action, id, input, req: req)
        return BadRatingDTO(b, rating: try await RatingModel.find(id, on: req.db), today: HallClock.day(req.now))
    }
}

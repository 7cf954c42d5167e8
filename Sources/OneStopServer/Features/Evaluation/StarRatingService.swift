import Fluent
import Foundation
import OneStopCore
import Vapor

/// 双评 and the 十星级 (issue 21): a center opens the half-year's rating (`openStarRating`); the
/// public votes by QR code or link (`voteStarRating`, one vote per person per subject, the person
/// being a phone confirmed by a one-time code or a signed-in applicant); the department head and
/// the center review (`submitLeaderReview`); the campaign office confirms (`confirmStarRating`),
/// which fixes each subject's stars and publishes them on the profile and the window screen.
enum StarRatingService {
    static let openers = Access.only(.centerAdmin, .campaignOffice)
    static let reviewers = Access.only(.centerAdmin, .chiefRepresentative, .campaignOffice)
    static let confirmers = Access.only(.campaignOffice)
    /// A code lives 10 minutes, allows 5 wrong tries, and a phone gets at most 5 an hour.
    static let codeLifetime: Int64 = 10 * 60_000
    static let codeTries = 5
    static let codesPerHour = 5

    struct OpenInput: Content {
        var center: String?
        var period: String?
        var criteria: [String]?
        var publicWeight: Double?
        var leaderWeight: Double?
        var ratingWeight: Double?
        /// The outside evaluators' weight beside the other two (default 0).
        var outsideWeight: Double?
        var bands: [Double]?
        /// Whether window units and party organisations are rated too (default yes).
        var organisations: Bool?
    }

    struct Subject: Sendable {
        var key: String
        var kind: StarRules.SubjectKind
        var name: String
        var departmentID: UUID?
    }

    static func open(_ input: OpenInput, req: Request) async throws -> StarRatingModel {
        let p = try req.requirePrincipal()
        let scope = try await req.scope()
        let center = try await WorkOrderService.center(input.center, req: req)
        let centerID = try center.requireID()
        try scope.require(centerID)
        var v = Validator()
        let period = input.period.flatMap(CommitmentRules.period)
        if period == nil { v.add("period", input.period == nil ? "required" : "commitment.halfYear") }
        let criteria = (input.criteria ?? StarRules.defaultCriteria).map { $0.trimmingCharacters(in: .whitespaces) }
        for code in StarRules.criteriaProblems(criteria) { v.add("criteria", code) }
        let scale = StarScale(
            publicWeight: input.publicWeight ?? 0.5, leaderWeight: input.leaderWeight ?? 0.5, ratingWeight: input.ratingWeight ?? 0,
            bands: input.bands, outsideWeight: input.outsideWeight ?? 0)
        for code in scale.problems { v.add(code == "star.bands" ? "bands" : "scale", code) }
        guard v.isValid, let period else { throw ValidationFailure(v.errors) }
        let r = StarRatingModel()
        r.id = UUID.timeOrdered()
        r.centerID = centerID
        r.period = period.description
        r.criteriaValue = criteria
        r.scaleValue = scale
        r.kinds = (input.organisations ?? true ? StarRules.SubjectKind.allCases : [.staff]).map(\.rawValue).joined(separator: ",")
        r.state = "open"
        r.openedBy = p.displayName
        r.openedAt = HallClock.millis(req.now)
        r.confirmedBy = ""
        return try await req.audited { db -> (StarRatingModel, [AuditEvent]) in
            if try await StarRatingModel.query(on: db).filter(\.$centerID == centerID).filter(\.$period == r.period).count() > 0 {
                throw Abort(.conflict, reason: req.t("star.exists"))
            }
            try await r.storeNew(on: db)
            return (
                r,
                [
                    AuditEvent(
                        "star.open", "star_rating", id: r.id, center: centerID,
                        detail: ["period": r.period, "criteria": criteria.joined(separator: "、"), "kinds": r.kinds])
                ]
            )
        }
    }

    static func find(_ id: UUID, on db: any Database) async throws -> StarRatingModel {
        guard let r = try await StarRatingModel.find(id, on: db) else { throw Abort(.notFound) }
        return r
    }

    /// Who the rating rates: the center's staff, then its departments as window units and as party
    /// organisations when the rating includes them.
    static func subjects(_ r: StarRatingModel, on db: any Database) async throws -> [Subject] {
        let kinds = Set(r.kindsValue)
        var out: [Subject] = []
        if kinds.contains(.staff) {
            for s in try await StaffModel.query(on: db).filter(\.$centerID == r.centerID).sort(\.$name).all() {
                out.append(Subject(key: "staff:" + s.id!.uuidString.lowercased(), kind: .staff, name: s.name, departmentID: s.departmentID))
            }
        }
        let departments = try await DepartmentModel.query(on: db).filter(\.$centerID == r.centerID).sort(\.$name).all()
        for kind in [StarRules.SubjectKind.department, .party] where kinds.contains(kind) {
            for d in departments {
                out.append(Subject(key: kind.rawValue + ":" + d.id!.uuidString.lowercased(), kind: kind, name: d.name, departmentID: d.id))
            }
        }
        return out
    }

    /// One subject of the rating by its key, read alone (a vote names one; listing them all is for pages).
    static func subject(_ r: StarRatingModel, _ key: String, on db: any Database) async throws -> Subject? {
        let parts = key.lowercased().split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, let kind = StarRules.SubjectKind(rawValue: parts[0]), r.kindsValue.contains(kind),
            let id = UUID(uuidString: parts[1])
        else { return nil }
        let key = kind.rawValue + ":" + id.uuidString.lowercased()
        if kind == .staff {
            guard let s = try await StaffModel.find(id, on: db), s.centerID == r.centerID else { return nil }
            return Subject(key: key, kind: kind, name: s.name, departmentID: s.departmentID)
        }
        guard let d = try await DepartmentModel.find(id, on: db), d.centerID == r.centerID else { return nil }
        return Subject(key: key, kind: kind, name: d.name, departmentID: id)
    }

    // MARK: the leaders' review

    struct ReviewInput: Content {
        var ratee: String?
        var scores: [Double]?
        var comments: [String]?
        var overall: String?
    }

    /// The level the principal reviews `subject` at: the center for administrators and the
    /// campaign office within scope; the department for its chief representative and its own staff.
    static func level(for subject: Subject, rating r: StarRatingModel, req: Request) async throws -> StarRules.ReviewLevel? {
        let p = try req.requirePrincipal()
        guard try await req.scope().contains(r.centerID) else { return nil }
        switch p.role {
        case .centerAdmin, .campaignOffice: return .center
        case .chiefRepresentative:
            return subject.kind == .staff && subject.departmentID != nil && subject.departmentID == p.departmentID ? .department : nil
        case let role where role.isOutsideEvaluator: return .outside
        default: return nil
        }
    }

    static func review(_ ratingID: UUID, _ input: ReviewInput, req: Request) async throws -> StarRules.Review {
        let p = try req.requirePrincipal()
        let r = try await find(ratingID, on: req.db)
        guard let subject = try await subject(r, input.ratee ?? "", on: req.db) else {
            throw ValidationFailure([FieldError("ratee", (input.ratee ?? "").isEmpty ? "required" : "invalidReference")])
        }
        guard let level = try await level(for: subject, rating: r, req: req), level != .outside else { throw Abort(.forbidden) }
        guard r.state == "open" else { throw Abort(.conflict, reason: req.t("star.closed")) }
        let review = StarRules.Review(
            level: level, reviewer: p.displayName, scores: input.scores ?? [],
            comments: (input.comments ?? []).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) },
            summary: (input.overall ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        let problems = review.problems(criteria: r.criteriaValue.count)
        guard problems.isEmpty else { throw ValidationFailure(problems.map { FieldError($0.field, $0.code) }) }
        let millis = HallClock.millis(req.now)
        let centerID = r.centerID
        return try await req.audited { db -> (StarRules.Review, [AuditEvent]) in
            guard let fresh = try await StarRatingModel.find(ratingID, on: db), fresh.state == "open" else {
                throw Abort(.conflict, reason: req.t("star.closed"))
            }
            let row =
                try await StarReviewModel.query(on: db).filter(\.$ratingID == ratingID).filter(\.$subject == subject.key)
                .filter(\.$level == level.rawValue).first() ?? StarReviewModel()
            let replaced = row.id != nil
            if row.id == nil {
                row.id = UUID.timeOrdered()
                row.ratingID = ratingID
                row.subject = subject.key
                row.level = level.rawValue
            }
            row.reviewValue = review
            row.updatedAt = millis
            try await row.save(on: db)
            return (
                review,
                [
                    AuditEvent(
                        replaced ? "star.review.replace" : "star.review", "star_rating", id: ratingID, center: centerID,
                        detail: ["subject": subject.name, "level": level.rawValue, "score": ScoringRule.number(review.score)])
                ]
            )
        }
    }

    // MARK: results

    /// Each subject's breakdown now: from the confirmed results once confirmed, else computed
    /// from the votes, the reviews and (when the scale counts it) the half-year's satisfaction.
    static func breakdowns(
        _ r: StarRatingModel, subjects known: [Subject]? = nil, req: Request
    ) async throws
        -> [String: StarRules.Breakdown]
    {
        let id = try r.requireID()
        if r.state == "confirmed" {
            var out: [String: StarRules.Breakdown] = [:]
            for row in try await StarResultModel.query(on: req.db).filter(\.$ratingID == id).all() {
                out[row.subject] = row.breakdownValue
            }
            return out
        }
        var tallies: [String: StarRules.VoteTally] = [:]
        for vote in try await StarVoteModel.query(on: req.db).filter(\.$ratingID == id).all() {
            tallies[vote.subject, default: StarRules.VoteTally()].add(levels: vote.levelsValue)
        }
        var reviews: [String: [StarRules.Review]] = [:]
        for row in try await StarReviewModel.query(on: req.db).filter(\.$ratingID == id).all() {
            if let review = row.reviewValue { reviews[row.subject, default: []].append(review) }
        }
        reviews.merge(try await OutsideEvaluation.reviews(id, on: req.db)) { $0 + $1 }
        let scale = r.scaleValue
        var satisfaction: [String: Double] = [:]
        if scale.ratingWeight > 0, let period = EvaluationPeriod(key: r.period) {
            try await IndicatorStore.catchUp(app: req.application, now: req.now)
            for kind in ["staff", "department"] {
                for (scope, counts) in try await IndicatorStore.read(centers: [r.centerID], kind: kind, period: period, on: req.db) {
                    if let value = Indicator.satisfaction.figure(counts).value { satisfaction[scope] = value }
                }
            }
        }
        var out: [String: StarRules.Breakdown] = [:]
        let list: [Subject]
        if let known { list = known } else { list = try await subjects(r, on: req.db) }
        for s in list {
            let unit = s.kind == .party ? "department:" + (s.departmentID?.uuidString.lowercased() ?? "") : s.key
            out[s.key] = StarRules.breakdown(
                tally: tallies[s.key] ?? StarRules.VoteTally(), satisfaction: satisfaction[unit], reviews: reviews[s.key] ?? [],
                scale: scale)
        }
        return out
    }

    /// Fixes every subject's result and publishes them; the rating takes no more votes or reviews.
    static func confirm(_ ratingID: UUID, req: Request) async throws -> StarRatingModel {
        let p = try req.requirePrincipal()
        let r = try await find(ratingID, on: req.db)
        try await req.scope().require(r.centerID)
        guard r.state == "open" else { throw Abort(.conflict, reason: req.t("star.confirmed")) }
        let subjects = try await subjects(r, on: req.db)
        let results = try await breakdowns(r, subjects: subjects, req: req)
        let millis = HallClock.millis(req.now)
        return try await req.audited { db -> (StarRatingModel, [AuditEvent]) in
            guard let fresh = try await StarRatingModel.find(ratingID, on: db), fresh.state == "open" else {
                throw Abort(.conflict, reason: req.t("star.confirmed"))
            }
            var starred = 0
            for s in subjects {
                let b = results[s.key]
                let row = StarResultModel()
                row.id = UUID.timeOrdered()
                row.ratingID = ratingID
                row.centerID = fresh.centerID
                row.subject = s.key
                row.subjectName = s.name
                row.period = fresh.period
                row.stars = b?.stars
                row.combined = b?.combined
                row.breakdown = String(decoding: (try? JSONEncoder.sorted.encode(b)) ?? Data("{}".utf8), as: UTF8.self)
                try await row.create(on: db)
                if b?.stars != nil { starred += 1 }
            }
            fresh.state = "confirmed"
            fresh.confirmedBy = p.displayName
            fresh.confirmedAt = millis
            try await fresh.save(on: db)
            return (
                fresh,
                [
                    AuditEvent(
                        "star.confirm", "star_rating", id: ratingID, center: fresh.centerID,
                        detail: ["period": fresh.period, "rated": "\(starred)/\(subjects.count)"])
                ]
            )
        }
    }

    /// The latest confirmed result of each subject.
    static func published(_ subjects: [String], on db: any Database) async throws -> [String: StarResultModel] {
        var out: [String: StarResultModel] = [:]
        for row in try await StarResultModel.query(on: db).filter(\.$subject ~~ subjects.map { $0.lowercased() })
            .sort(\.$period, .descending).all()
        where out[row.subject] == nil {
            out[row.subject] = row
        }
        return out
    }

    /// The open rating of a center that rates `subject`, for the window screen's QR code.
    static func openRating(center: UUID, on db: any Database) async throws -> StarRatingModel? {
        try await StarRatingModel.query(on: db).filter(\.$centerID == center).filter(\.$state == "open").sort(\.$period, .descending)
            .first()
    }
}

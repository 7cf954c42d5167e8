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
            bands: input.bands)
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
            try await r.create(on: db)
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

    static func subject(_ r: StarRatingModel, _ key: String, on db: any Database) async throws -> Subject? {
        let key = key.lowercased()
        return try await subjects(r, on: db).first { $0.key == key }
    }

    // MARK: the public's vote

    /// Sends a one-time code to `phone` through the center's SMS webhook; returns when it expires.
    static func requestCode(_ ratingID: UUID, phone raw: String?, req: Request) async throws -> Date {
        let r = try await find(ratingID, on: req.db)
        guard r.state == "open" else { throw Abort(.conflict, reason: req.t("star.closed")) }
        guard let phone = raw.flatMap(PhoneNumber.normalized), phone.count == 11, phone.hasPrefix("1") else {
            throw ValidationFailure([FieldError("phone", raw?.isEmpty ?? true ? "required" : "star.mobile")])
        }
        let hooks = try await WebhookModel.query(on: req.db).filter(\.$centerID == r.centerID).filter(\.$active == true).all()
        guard hooks.contains(where: { Outbox.wants($0.events, "vote.code") }) else {
            throw Abort(.serviceUnavailable, reason: req.t("star.noSMS"))
        }
        let millis = HallClock.millis(req.now)
        let index = PersonalData.index(phone, VoteCodeModel.phoneField)
        let code = String(format: "%06d", Int.random(in: 0..<1_000_000))
        let row = VoteCodeModel()
        row.id = UUID.timeOrdered()
        row.phoneIndex = index
        row.phone = phone
        row.code = PersonalData.index("\(row.id!.uuidString):\(code)", "vote_codes.code")
        row.createdAt = millis
        row.expiresAt = millis + codeLifetime
        row.attempts = 0
        let message = Outbox.Message(
            title: "评议验证码", body: "您的评议验证码为 \(code)，10 分钟内有效。如非本人操作，请忽略。", link: "",
            data: ["code": code, "voteCode": row.id!.uuidString])
        let centerID = r.centerID
        return try await req.audited { db -> (Date, [AuditEvent]) in
            let recent = try await VoteCodeModel.query(on: db).filter(\.$phoneIndex == index)
                .filter(\.$createdAt > millis - 3_600_000).count()
            if recent >= codesPerHour { throw Abort(.tooManyRequests, reason: req.t("star.codeTooMany")) }
            try await row.create(on: db)
            try await Outbox.enqueue("vote.code", message, users: [], center: centerID, at: millis, on: db)
            return (
                Date(timeIntervalSince1970: Double(row.expiresAt) / 1000),
                [AuditEvent("star.code", "star_rating", id: ratingID, center: centerID, detail: [:])]
            )
        }
    }

    struct VoteInput: Content {
        var ratee: String?
        /// One answer 1–5 per criterion, in the rating's order.
        var levels: [Int]?
        var comment: String?
        /// Without a signed-in applicant: the phone and the code sent to it.
        var phone: String?
        var smsCode: String?
        /// `qr` (the window's code) or `link`.
        var via: String?
    }

    struct VoteReceipt: Content {
        var ratingID: UUID
        var subject: String
        var subjectName: String
        var votedAt: Date
    }

    static func vote(_ ratingID: UUID, _ input: VoteInput, req: Request) async throws -> VoteReceipt {
        let r = try await find(ratingID, on: req.db)
        guard r.state == "open" else { throw Abort(.conflict, reason: req.t("star.closed")) }
        var v = Validator()
        let subject = try await subject(r, input.ratee ?? "", on: req.db)
        if subject == nil { v.add("ratee", (input.ratee ?? "").isEmpty ? "required" : "invalidReference") }
        let levels = input.levels ?? []
        for (field, code) in StarRules.voteProblems(levels, criteria: r.criteriaValue.count) { v.add(field, code) }
        let comment = v.text("comment", input.comment, max: 200, required: false)
        let applicant = req.principal.flatMap { $0.role == .applicant ? $0.id : nil }
        let phone = applicant == nil ? input.phone.flatMap(PhoneNumber.normalized) : nil
        if applicant == nil {
            if phone == nil { v.add("phone", (input.phone ?? "").isEmpty ? "required" : "star.mobile") }
            if (input.smsCode ?? "").trimmingCharacters(in: .whitespaces).isEmpty { v.add("smsCode", "required") }
        }
        guard v.isValid, let subject else { throw ValidationFailure(v.errors) }
        let millis = HallClock.millis(req.now)
        if let phone { try await checkCode(phone: phone, code: input.smsCode ?? "", millis: millis, req: req) }
        let voter = PersonalData.index(applicant.map { "user:" + $0.uuidString } ?? "phone:" + (phone ?? ""), "star_votes.voter")
        let row = StarVoteModel()
        row.id = UUID.timeOrdered()
        row.ratingID = ratingID
        row.subject = subject.key
        row.voter = voter
        row.levels = levels.map(String.init).joined(separator: ",")
        row.comment = comment
        row.channel = applicant != nil ? "account" : input.via == "link" ? "link" : "qr"
        row.createdAt = millis
        let centerID = r.centerID
        do {
            return try await req.audited { db -> (VoteReceipt, [AuditEvent]) in
                guard let fresh = try await StarRatingModel.find(ratingID, on: db), fresh.state == "open" else {
                    throw Abort(.conflict, reason: req.t("star.closed"))
                }
                if try await StarVoteModel.query(on: db).filter(\.$ratingID == ratingID).filter(\.$subject == subject.key)
                    .filter(\.$voter == voter).count() > 0
                {
                    throw Abort(.conflict, reason: req.t("star.voted"))
                }
                try await row.create(on: db)
                return (
                    VoteReceipt(
                        ratingID: ratingID, subject: subject.key, subjectName: subject.name,
                        votedAt: Date(timeIntervalSince1970: Double(millis) / 1000)),
                    [
                        AuditEvent(
                            "star.vote", "star_rating", id: ratingID, center: centerID,
                            detail: ["subject": subject.name, "channel": row.channel])
                    ]
                )
            }
        } catch let e as any DatabaseError where e.isConstraintFailure {
            throw Abort(.conflict, reason: req.t("star.voted"))
        }
    }

    /// Checks the code last sent to `phone`: a wrong one counts a try; expired or out of tries, a
    /// new code is needed.
    static func checkCode(phone: String, code: String, millis: Int64, req: Request) async throws {
        let index = PersonalData.index(phone, VoteCodeModel.phoneField)
        guard
            let row = try await VoteCodeModel.query(on: req.db).filter(\.$phoneIndex == index).sort(\.$createdAt, .descending).first(),
            row.expiresAt > millis, row.attempts < codeTries
        else { throw ValidationFailure([FieldError("smsCode", "star.codeExpired")]) }
        let given = code.trimmingCharacters(in: .whitespaces)
        if PersonalData.index("\(row.id!.uuidString):\(given)", "vote_codes.code") != row.code {
            let id = row.id!
            _ = try await req.audited { db -> (Bool, [AuditEvent]) in
                if let fresh = try await VoteCodeModel.find(id, on: db) {
                    fresh.attempts += 1
                    try await fresh.save(on: db)
                }
                return (true, [])
            }
            throw ValidationFailure([FieldError("smsCode", "star.codeWrong")])
        }
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
        default: return nil
        }
    }

    static func review(_ ratingID: UUID, _ input: ReviewInput, req: Request) async throws -> StarRules.Review {
        let p = try req.requirePrincipal()
        let r = try await find(ratingID, on: req.db)
        guard let subject = try await subject(r, input.ratee ?? "", on: req.db) else {
            throw ValidationFailure([FieldError("ratee", (input.ratee ?? "").isEmpty ? "required" : "invalidReference")])
        }
        guard let level = try await level(for: subject, rating: r, req: req) else { throw Abort(.forbidden) }
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
    static func breakdowns(_ r: StarRatingModel, req: Request) async throws -> [String: StarRules.Breakdown] {
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
        for s in try await subjects(r, on: req.db) {
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
        let results = try await breakdowns(r, req: req)
        let subjects = try await subjects(r, on: req.db)
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

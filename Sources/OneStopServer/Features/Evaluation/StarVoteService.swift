import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// 群众评议 (issue 21): the one-time code that confirms a voter's phone, and the vote itself — one
/// per person per subject and half-year.
extension StarRatingService {
    /// Sends a one-time code to `phone` through the center's SMS webhook; returns when it expires.
    static func requestCode(_ ratingID: UUID, phone raw: String?, req: Request) async throws -> Date {
        let r = try await find(ratingID, on: req.db)
        guard r.state == "open" else { throw Abort(.conflict, reason: req.t("star.closed")) }
        return try await sendCode(phone: raw, center: r.centerID, audit: ("star_rating", ratingID), req: req)
    }

    /// Sends a one-time code to `phone` through the center's SMS webhook (its `vote.code` event),
    /// at most `codesPerHour` to one phone; shared by the star ratings' and the brands' surveys.
    static func sendCode(phone raw: String?, center centerID: UUID, audit: (entity: String, id: UUID), req: Request) async throws -> Date {
        guard let phone = raw.flatMap(PhoneNumber.normalized), phone.count == 11, phone.hasPrefix("1") else {
            throw ValidationFailure([FieldError("phone", raw?.isEmpty ?? true ? "required" : "star.mobile")])
        }
        let hooks = try await WebhookModel.query(on: req.db).filter(\.$centerID == centerID).filter(\.$active == true).all()
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
        return try await req.audited { db -> (Date, [AuditEvent]) in
            let recent = try await VoteCodeModel.query(on: db).filter(\.$phoneIndex == index)
                .filter(\.$createdAt > millis - 3_600_000).count()
            if recent >= codesPerHour { throw Abort(.tooManyRequests, reason: req.t("star.codeTooMany")) }
            try await row.storeNew(on: db)
            try await Outbox.enqueue("vote.code", message, users: [], center: centerID, at: millis, on: db)
            return (
                Date(timeIntervalSince1970: Double(row.expiresAt) / 1000),
                [AuditEvent("star.code", audit.entity, id: audit.id, center: centerID, detail: [:])]
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
                try await row.storeNew(on: db)
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
    struct CodeRow: Decodable, Sendable {
        var id: UUID
        var code: String
        var expiresAt: Int64
        var attempts: Int

        enum CodingKeys: String, CodingKey { case id, code, expiresAt = "expires_at", attempts }
    }

    static func checkCode(phone: String, code: String, millis: Int64, req: Request) async throws {
        let index = PersonalData.index(phone, VoteCodeModel.phoneField)
        // The four columns the check needs (a viral survey checks a code on every vote).
        guard
            let row = try await SQLRows.sql(req.db).raw(
                """
                SELECT id, code, expires_at, attempts FROM vote_codes WHERE phone_index = \(bind: index) \
                ORDER BY created_at DESC LIMIT 1
                """
            ).first(decoding: CodeRow.self),
            row.expiresAt > millis, row.attempts < codeTries
        else { throw ValidationFailure([FieldError("smsCode", "star.codeExpired")]) }
        let given = code.trimmingCharacters(in: .whitespaces)
        if PersonalData.index("\(row.id.uuidString):\(given)", "vote_codes.code") != row.code {
            let id = row.id
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
}

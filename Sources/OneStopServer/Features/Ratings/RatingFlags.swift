import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// 防刷评 (issue 19): each new rating is compared, inside its transaction, with the recent ratings
/// of its source and of its rater (`RatingFraud`); what looks unusual is flagged for supervisors,
/// never dropped. A supervisor clears a flag (an honest rating) or confirms it, which takes the
/// rating out of every figure like an upheld appeal; either way with a note, audited.
enum RatingFlags {
    /// Who reviews flags: supervisors; center administrators see them.
    static let viewers = Access.only(.supervisor, .centerAdmin)

    enum Verdict: String, CaseIterable {
        case cleared, confirmed
    }

    /// Where a rating given over HTTP came from, for the burst rule: the client's address, as a
    /// keyed hash (the address itself is not kept). "" when unknown (a local client).
    static func source(_ req: Request) -> String {
        IssueLimiter.client(req).map { "addr:" + PersonalData.index($0, "ratings.source") } ?? ""
    }

    /// What the fraud rules compare: the identity's "window" is the window of a visit, or the
    /// member of staff (else the department) who handled a case — the unit one person rating
    /// many cases would be favouring.
    static func fact(_ r: RatingModel, askedAt: Int64? = nil) -> RatingFraud.Fact {
        Recent(
            at: r.at, source: r.source, raterIdentity: r.raterIdentity, windowID: r.windowID, staffID: r.staffID,
            departmentID: r.departmentID, caseID: r.caseID, ticketID: r.ticketID
        ).fact(askedAt: askedAt)
    }

    /// The columns of a recent rating that its fact needs.
    struct Recent: Decodable {
        static let columns = "\"at\", source, rater_identity, window_id, staff_id, department_id, case_id, ticket_id"
        var id = UUID()
        var at: Int64
        var source: String
        var raterIdentity: String?
        var windowID: UUID?
        var staffID: UUID?
        var departmentID: UUID?
        var caseID: UUID?
        var ticketID: UUID?

        enum CodingKeys: String, CodingKey {
            case id, at, source
            case raterIdentity = "rater_identity"
            case windowID = "window_id"
            case staffID = "staff_id"
            case departmentID = "department_id"
            case caseID = "case_id"
            case ticketID = "ticket_id"
        }

        /// What the fraud rules compare (see `RatingFlags.fact`).
        func fact(askedAt: Int64? = nil) -> RatingFraud.Fact {
            .init(
                at: at, source: source, identity: raterIdentity.flatMap { $0.isEmpty ? nil : $0 },
                windowID: (windowID ?? staffID ?? departmentID)?.uuidString, caseID: (caseID ?? ticketID)?.uuidString, askedAt: askedAt,
                day: HallClock.day(Date(timeIntervalSince1970: Double(at) / 1000)).description)
        }
    }

    /// Flags what the new rating raises. Only given ratings are looked at ("not rated" is the
    /// evaluator's timeout).
    static func raise(_ r: RatingModel, askedAt: Int64?, on db: any Database) async throws -> [AuditEvent] {
        guard r.level != nil, let id = r.id else { return [] }
        let t = RatingFraud.Thresholds()
        guard let sql = db as? any SQLDatabase else { throw Abort(.internalServerError) }
        var recent: [RatingFraud.Fact] = []
        // Plain SQL for the few columns a fact needs: every visit's rating runs this, and through
        // Fluent each of up to 50 rows cost a reflection of the whole model. The burst rule needs
        // only when each rating of the source came, so those rows are read for that alone (a
        // hall's evaluators behind one address give 50 rows a rating).
        var bySource: [(id: UUID, at: Int64)] = []
        if !r.source.isEmpty {
            for row in try await sql.raw(
                """
                SELECT id, "at" FROM ratings WHERE source = \(bind: r.source)
                AND "at" > \(bind: r.at - t.burstSeconds * 1000) AND id <> \(bind: id) LIMIT 50
                """
            ).all() {
                bySource.append((try row.id("id", text: sql.textIDs), try row.decode(column: "at", as: Int64.self)))
            }
        }
        var byIdentity: Set<UUID> = []
        if let identity = r.raterIdentity, !identity.isEmpty {
            let day = HallClock.day(Date(timeIntervalSince1970: Double(r.at) / 1000))
            let start = HallClock.millis(HallClock.instant(day, minute: 0))
            let rows = try await sql.raw(
                """
                SELECT id, \(unsafeRaw: Recent.columns) FROM ratings WHERE rater_identity = \(bind: identity)
                AND "at" >= \(bind: start) AND id <> \(bind: id) LIMIT 200
                """
            ).all(decoding: Recent.self)
            byIdentity = Set(rows.map(\.id))
            recent += rows.map { $0.fact() }
        }
        // A rating of both the source and the identity counts once (it was counted twice, and a
        // person rating from one address made a burst at three ratings).
        let day = HallClock.day(Date(timeIntervalSince1970: Double(r.at) / 1000)).description
        recent += bySource.filter { !byIdentity.contains($0.id) }.map { RatingFraud.Fact(at: $0.at, source: r.source, day: day) }
        let flags = RatingFraud.flags(fact(r, askedAt: askedAt), recent: recent, thresholds: t)
        var events: [AuditEvent] = []
        for f in flags {
            let m = RatingFlagModel()
            m.id = UUID.timeOrdered()
            m.ratingID = id
            m.centerID = r.centerID
            m.signal = f.signal.rawValue
            m.detail = String(f.measured)
            m.at = r.at
            m.reviewNote = ""
            m.reviewedBy = ""
            try await HallRows.insert(m, on: db)
            events.append(AuditEvent("rating.flag", "rating", id: id, center: r.centerID, detail: ["signal": m.signal]))
        }
        return events
    }

    /// A flag as the API and the page show it, with its rating and the rule's explanation.
    struct FlagDTO: Content {
        var id: UUID
        var ratingID: UUID
        var centerID: UUID
        var signal: String
        /// What was measured: ratings from the source in the burst window, milliseconds to answer,
        /// or cases of the window rated that day.
        var measured: Int
        var explanation: String
        var at: Date
        var level: Int?
        var channel: String
        var windowID: UUID?
        var staffID: UUID?
        var verdict: String?
        var reviewNote: String
        var reviewedBy: String
        var excluded: Bool
    }

    static func dto(_ f: RatingFlagModel, _ r: RatingModel?, req: Request) -> FlagDTO {
        let t = RatingFraud.Thresholds()
        let measured = Int(f.detail) ?? 0
        let explanation =
            switch RatingFraud.Signal(rawValue: f.signal) {
            case .burst: req.t("ratingFlag.explain.burst", ["n": String(measured), "seconds": String(t.burstSeconds)])
            case .tooFast: req.t("ratingFlag.explain.tooFast", ["ms": String(measured), "fastest": String(t.fastestMillis)])
            case .sameWindowMany: req.t("ratingFlag.explain.sameWindowMany", "n", String(measured))
            case nil: f.signal
            }
        return FlagDTO(
            id: f.id!, ratingID: f.ratingID, centerID: f.centerID, signal: f.signal, measured: measured, explanation: explanation,
            at: Date(timeIntervalSince1970: Double(f.at) / 1000), level: r?.level, channel: r?.channel ?? "", windowID: r?.windowID,
            staffID: r?.staffID, verdict: f.verdict, reviewNote: f.reviewNote, reviewedBy: f.reviewedBy, excluded: r?.excluded ?? false)
    }

    /// Flags in the caller's scope, newest first; `reviewed`: "no" (waiting, the default), "yes"
    /// or "all".
    static func list(_ req: Request) async throws -> [FlagDTO] {
        let scope = try await req.scope()
        var q = RatingFlagModel.query(on: req.db).filter(\.$centerID ~~ Array(scope.centers))
        switch req.query[String.self, at: "reviewed"] ?? "no" {
        case "no", "": q = q.filter(\.$verdict == nil)
        case "yes": q = q.filter(\.$verdict != nil)
        case "all": break
        default: throw ValidationFailure([FieldError("reviewed", "invalidChoice")])
        }
        let flags = try await q.sort(\.$at, .descending).limit(200).all()
        let ratings = try await RatingModel.query(on: req.db).filter(\.$id ~~ Set(flags.map(\.ratingID))).all()
        let byID = Dictionary(uniqueKeysWithValues: ratings.map { ($0.id!, $0) })
        return flags.map { dto($0, byID[$0.ratingID], req: req) }
    }

    struct ReviewInput: Content {
        var verdict: String?
        var note: String?
    }

    /// A supervisor's review. Confirming takes the rating out of every figure (and closes a bad
    /// rating's handling as excluded); clearing leaves it counted. A flag is reviewed once.
    static func review(_ id: UUID, _ input: ReviewInput, req: Request) async throws -> FlagDTO {
        let p = try req.requirePrincipal()
        guard p.role == .supervisor else { throw Abort(.forbidden) }
        guard let flag = try await RatingFlagModel.find(id, on: req.db) else { throw Abort(.notFound) }
        try await req.scope().require(flag.centerID)
        var v = Validator()
        let verdict = v.oneOf("verdict", input.verdict, as: Verdict.self)
        let note = v.text("note", input.note, max: 1000)
        guard v.isValid, let verdict else { throw ValidationFailure(v.errors) }
        let millis = HallClock.millis(req.now)
        let by = p.displayName
        let saved = try await req.audited { db -> ((RatingFlagModel, RatingModel?), [AuditEvent]) in
            guard let f = try await RatingFlagModel.find(id, on: db) else { throw Abort(.notFound) }
            guard f.verdict == nil else { throw Abort(.conflict, reason: req.t("ratingFlag.reviewedAlready")) }
            f.verdict = verdict.rawValue
            f.reviewNote = note
            f.reviewedBy = by
            f.reviewedAt = millis
            try await f.save(on: db)
            let r = try await RatingModel.find(f.ratingID, on: db)
            if verdict == .confirmed, let r, !r.excluded {
                let bad = try await BadRatingModel.find(f.ratingID, on: db)
                try await RatingFigures.exclude(r, bad: bad, on: db)
                r.excluded = true
                try await r.save(on: db)
                if let bad, bad.appeal != BadRatingCase.Appeal.upheld.rawValue {
                    bad.appeal = BadRatingCase.Appeal.upheld.rawValue
                    bad.appealDecisionNote = req.t("ratingFlag.closedAsFraud") + note
                    bad.updatedAt = millis
                    try await bad.save(on: db)
                }
            }
            return (
                (f, r),
                [AuditEvent("rating.flag.review", "rating", id: f.ratingID, center: f.centerID, detail: ["verdict": verdict.rawValue])]
            )
        }
        return dto(saved.0, saved.1, req: req)
    }
}

import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// 社会评价 (issue 22): the office opens a public survey per candidate (a QR code and a link);
/// anyone votes once per brand — satisfaction on five levels and an optional comment — with a
/// phone confirmed by a one-time code (the star ratings' code path) or as a signed-in applicant.
/// A burst of votes from one address is flagged; the office may leave a flagged vote out with a
/// reason, audited.
enum BrandSurveyService {
    struct OpenInput: Content {
        /// The last day of voting; default the selection phase's last day.
        var closesOn: String?
    }

    struct DTO: Content {
        var id: UUID
        var brandID: UUID
        var brandName: String
        var campaignID: UUID
        var state: String
        var closesOn: String
        var votes: Int
        var flagged: Int
        var excluded: Int
        var score: Double?
        var path: String
        /// selection or consolidation (the yearly evaluation), and which round of the survey.
        var purpose: String
        var round: Int
    }

    static func path(_ id: UUID) -> String { "/brands/survey/\(id.uuidString.lowercased())" }

    static func dto(_ s: BrandSurveyModel, on db: any Database) async throws -> DTO {
        let votes = try await BrandVoteModel.query(on: db).filter(\.$surveyID == s.requireID()).filter(\.$round == s.round)
            .field(\.$id).field(\.$level)
            .field(\.$flagged).field(\.$excluded).all()
        let counted = votes.filter { $0.excluded.isEmpty }
        let name = try await BrandModel.find(s.brandID, on: db)?.name ?? ""
        return DTO(
            id: s.id!, brandID: s.brandID, brandName: name, campaignID: s.campaignID, state: s.state, closesOn: s.closesOn,
            votes: counted.count, flagged: votes.filter(\.flagged).count, excluded: votes.count - counted.count,
            score: BrandSelection.surveyScore(counted.map(\.level)), path: path(s.id!), purpose: s.purpose, round: s.round)
    }

    /// Opens the selection's survey of a candidate, or the yearly evaluation of a typical, named
    /// or reviewed brand in the consolidation phase — one a year, as a new round of the brand's
    /// survey in the campaign when it has one.
    static func open(_ brandID: UUID, _ input: OpenInput, req: Request) async throws -> BrandSurveyModel {
        let p = try req.requirePrincipal()
        let b = try await BrandService.find(brandID, on: req.db)
        try await req.scope().require(b.centerID)
        guard let purpose = BrandSelection.surveyPurpose(b.stateValue) else { throw Abort(.conflict, reason: req.t("brand.notCandidate")) }
        let today = HallClock.day(req.now)
        let c: BrandCampaignModel
        let phase: BrandCampaignPhases.Phase
        switch purpose {
        case .selection:
            c = try await BrandSelectionService.selectionCampaign(b, act: .vote, req: req)
            phase = .selection
        case .consolidation:
            guard let found = try await BrandReportService.campaign(for: b, on: req.db, app: req.application),
                found.phasesValue.allows(.evaluate, on: today)
            else { throw Abort(.conflict, reason: req.t("brand.notConsolidation")) }
            c = found
            phase = .consolidation
        }
        let phaseEnd = c.phasesValue.spans.first { $0.phase == phase }!.to
        var closes = phaseEnd
        if let raw = input.closesOn, !raw.isEmpty {
            guard let d = CivilDate(raw) else { throw ValidationFailure([FieldError("closesOn", "date")]) }
            guard today <= d, d <= phaseEnd else {
                throw ValidationFailure([FieldError("closesOn", purpose == .selection ? "brand.closesInSelection" : "brand.closesInPhase")])
            }
            closes = d
        }
        let campaignID = try c.requireID()
        let (millis, by, closesOn) = (HallClock.millis(req.now), p.displayName, closes.description)
        let year = today.year
        do {
            return try await req.audited { db -> (BrandSurveyModel, [AuditEvent]) in
                let all = try await BrandSurveyModel.query(on: db).filter(\.$brandID == brandID).all()
                let s: BrandSurveyModel
                if let existing = all.first(where: { $0.campaignID == campaignID }) {
                    // A survey still taking votes, or the selection's: it is not opened again.
                    if accepting(existing, today: today) || purpose == .selection {
                        throw Abort(.conflict, reason: req.t("brand.surveyOpen"))
                    }
                    s = existing
                    s.round += 1
                } else {
                    s = BrandSurveyModel()
                    s.id = UUID.timeOrdered()
                    s.brandID = brandID
                    s.campaignID = campaignID
                    s.centerID = b.centerID
                    s.round = 1
                }
                if purpose == .consolidation {
                    let years = all.filter { $0.purpose == BrandSelection.SurveyPurpose.consolidation.rawValue }.map {
                        HallClock.day(Date(timeIntervalSince1970: Double($0.openedAt) / 1000)).year
                    }
                    guard BrandSelection.mayEvaluate(in: year, evaluatedIn: years) else {
                        throw Abort(.conflict, reason: req.t("brand.evaluatedThisYear"))
                    }
                }
                s.purpose = purpose.rawValue
                s.state = "open"
                s.closesOn = closesOn
                s.openedBy = by
                s.openedAt = millis
                if s.round == 1 { try await s.storeNew(on: db) } else { try await s.storeChanges(on: db) }
                return (
                    s,
                    [
                        AuditEvent(
                            "brand.survey.open", "brand", id: brandID, center: b.centerID,
                            detail: ["closesOn": closesOn, "purpose": purpose.rawValue, "round": String(s.round)])
                    ]
                )
            }
        } catch let e as any DatabaseError where e.isConstraintFailure {
            throw Abort(.conflict, reason: req.t("brand.surveyOpen"))
        }
    }

    /// Open for votes: open, today not past its last day, and its campaign not decided.
    static func accepting(_ s: BrandSurveyModel, today: CivilDate) -> Bool {
        accepting(state: s.state, closesOn: s.closesOn, today: today)
    }

    static func accepting(state: String, closesOn: String, today: CivilDate) -> Bool {
        state == "open" && CivilDate(closesOn).map { today <= $0 } ?? false
    }

    static func find(_ id: UUID, on db: any Database) async throws -> BrandSurveyModel {
        guard let s = try await BrandSurveyModel.find(id, on: db) else { throw Abort(.notFound) }
        return s
    }

    static func requestCode(_ id: UUID, phone: String?, req: Request) async throws -> Date {
        let s = try await find(id, on: req.db)
        guard accepting(s, today: HallClock.day(req.now)) else { throw Abort(.conflict, reason: req.t("brand.surveyClosed")) }
        return try await StarRatingService.sendCode(phone: phone, center: s.centerID, audit: ("brand_survey", s.id!), req: req)
    }

    struct VoteInput: Content {
        /// 1 (very dissatisfied) … 5 (very satisfied).
        var satisfaction: Int?
        var comment: String?
        var phone: String?
        var smsCode: String?
        /// qr or link.
        var via: String?
    }

    struct Receipt: Content {
        var surveyID: UUID
        var brandName: String
        var votedAt: Date
    }

    /// The burst rule of the ratings (`RatingFraud.Thresholds`): this many votes from one address
    /// within the window flag the vote.
    static let burst = RatingFraud.Thresholds()

    /// What a vote needs of its survey, read in one statement: the survey and its brand's name.
    struct SurveyFacts: Decodable, Sendable {
        var state: String
        var closesOn: String
        var centerID: UUID
        var round: Int
        var name: String

        enum CodingKeys: String, CodingKey {
            case state, closesOn = "closes_on", centerID = "center_id", round, name
        }
    }

    /// What the write finds, in one statement: the survey's state now, whether this voter voted,
    /// and the address's votes within the burst window (at most as many as the rule needs).
    struct VoteCheck: Decodable, Sendable {
        var state: String?
        var round: Int?
        var voted: Int
        var recent: Int
    }

    /// A refused vote answers its job instead of throwing, so that a second vote does not make
    /// the other votes of its batch run again one by one.
    enum VoteOutcome: Sendable {
        case accepted(Receipt)
        case closed
        case voted
    }

    static func vote(_ id: UUID, _ input: VoteInput, req: Request) async throws -> Receipt {
        let sql = try SQLRows.sql(req.db)
        guard
            let s = try await sql.raw(
                """
                SELECT s.state, s.closes_on, s.center_id, s.round, b.name FROM brand_surveys s JOIN brands b ON b.id = s.brand_id \
                WHERE s.id = \(bind: id)
                """
            ).first(decoding: SurveyFacts.self)
        else { throw Abort(.notFound) }
        let millis = HallClock.millis(req.now)
        guard accepting(state: s.state, closesOn: s.closesOn, today: HallClock.day(req.now)) else {
            throw Abort(.conflict, reason: req.t("brand.surveyClosed"))
        }
        var v = Validator()
        let level = input.satisfaction ?? 0
        if input.satisfaction == nil {
            v.add("satisfaction", "required")
        } else if !BrandSelection.surveyLevels.contains(level) {
            v.add("satisfaction", "invalidChoice")
        }
        let comment = v.text("comment", input.comment, max: 200, required: false)
        let applicant = req.principal.flatMap { $0.role == .applicant ? $0.id : nil }
        let phone = applicant == nil ? input.phone.flatMap(PhoneNumber.normalized) : nil
        if applicant == nil {
            if phone == nil { v.add("phone", (input.phone ?? "").isEmpty ? "required" : "star.mobile") }
            if (input.smsCode ?? "").trimmingCharacters(in: .whitespaces).isEmpty { v.add("smsCode", "required") }
        }
        guard v.isValid else { throw ValidationFailure(v.errors) }
        if let phone { try await StarRatingService.checkCode(phone: phone, code: input.smsCode ?? "", millis: millis, req: req) }
        let voter = PersonalData.index(
            BrandSelection.voterKey(applicant.map { "user:" + $0.uuidString } ?? "phone:" + (phone ?? ""), round: s.round),
            "brand_votes.voter")
        let round = s.round
        let channel = applicant != nil ? "account" : input.via == "link" ? "link" : "qr"
        let source = RatingFlags.source(req)
        let receipt = Receipt(surveyID: id, brandName: s.name, votedAt: Date(timeIntervalSince1970: Double(millis) / 1000))
        let centerID = s.centerID
        let since = millis - burst.burstSeconds * 1000
        let needed = burst.burstCount - 1
        let outcome = try await req.audited { db -> (VoteOutcome, [AuditEvent]) in
            // Deciding the selection closes its surveys in the same write, so the state read here
            // also keeps votes out of a decided campaign.
            let check = try await SQLRows.sql(db).raw(
                """
                SELECT (SELECT state FROM brand_surveys WHERE id = \(bind: id)) AS state, \
                (SELECT round FROM brand_surveys WHERE id = \(bind: id)) AS round, \
                (SELECT COUNT(*) FROM brand_votes WHERE survey_id = \(bind: id) AND voter = \(bind: voter)) AS voted, \
                (SELECT COUNT(*) FROM (SELECT 1 AS one FROM brand_votes WHERE survey_id = \(bind: id) AND source = \(bind: source) \
                AND source <> '' AND created_at > \(bind: since) LIMIT \(unsafeRaw: String(needed))) AS burst) AS recent
                """
            ).first(decoding: VoteCheck.self)
            // A new round opened since the read: the vote was meant for the one before.
            guard let check, check.state == "open", check.round == round else { return (.closed, []) }
            if check.voted > 0 { return (.voted, []) }
            let flagged = !source.isEmpty && check.recent + 1 >= burst.burstCount
            try await SQLRows.insert(
                into: "brand_votes", columns: "id, survey_id, voter, level, comment, channel, source, flagged, excluded, created_at, round",
                [
                    [
                        SQLBind(UUID.timeOrdered()), SQLBind(id), SQLBind(voter), SQLBind(level), SQLBind(comment), SQLBind(channel),
                        SQLBind(source), SQLBind(flagged), SQLBind(""), SQLBind(millis), SQLBind(round),
                    ]
                ], on: db)
            var detail = ["channel": channel]
            if flagged { detail["flag"] = "burst" }
            return (.accepted(receipt), [AuditEvent("brand.vote", "brand_survey", id: id, center: centerID, detail: detail)])
        }
        switch outcome {
        case .accepted(let r): return r
        case .closed: throw Abort(.conflict, reason: req.t("brand.surveyClosed"))
        case .voted: throw Abort(.conflict, reason: req.t("brand.voted"))
        }
    }

    struct VoteDTO: Content {
        var id: UUID
        var level: Int
        var comment: String
        var channel: String
        var flagged: Bool
        var excluded: String
        var at: Date
    }

    /// The office leaves a vote out (or back in, with an empty reason), before the decision.
    static func exclude(_ voteID: UUID, reason raw: String?, req: Request) async throws -> BrandVoteModel {
        guard let vote = try await BrandVoteModel.find(voteID, on: req.db) else { throw Abort(.notFound) }
        let s = try await find(vote.surveyID, on: req.db)
        try await req.scope().require(s.centerID)
        let reason = (raw ?? "").trimmingCharacters(in: .whitespacesAndNewlines)
        if reason.count > 200 { throw ValidationFailure([FieldError("reason", "tooLong")]) }
        let (campaignID, surveyID, voteRound) = (s.campaignID, try s.requireID(), vote.round)
        return try await req.audited { db -> (BrandVoteModel, [AuditEvent]) in
            // An earlier round's votes stay as they were; the selection's freeze at the decision.
            guard let fresh = try await BrandSurveyModel.find(surveyID, on: db), fresh.round == voteRound else {
                throw Abort(.conflict, reason: req.t("brand.roundOver"))
            }
            if fresh.purpose == BrandSelection.SurveyPurpose.selection.rawValue,
                try await BrandSelectionModel.query(on: db).filter(\.$campaignID == campaignID).count() > 0
            {
                throw Abort(.conflict, reason: req.t("brand.decided"))
            }
            guard let vote = try await BrandVoteModel.find(voteID, on: db) else { throw Abort(.notFound) }
            vote.excluded = reason
            try await vote.save(on: db)
            return (
                vote,
                [
                    AuditEvent(
                        reason.isEmpty ? "brand.vote.include" : "brand.vote.exclude", "brand_survey", id: s.id, center: s.centerID,
                        detail: ["vote": voteID.uuidString, "reason": reason])
                ]
            )
        }
    }
}

import Fluent
import Foundation
import OneStopCore
import Vapor

/// 一事一评 (issue 19): an applicant rates their own case once it is decided or delivered, one
/// rating per case and round. It is real-name (the applicant is known), so a bad one is called
/// back; it is assigned to the case's department like a visit's.
enum CaseRating {
    struct Input: Content {
        var level: Int?
        var tags: [String]?
        var text: String?
    }

    static func ratable(_ state: CaseState) -> Bool { state.isDecided || state == .delivered }

    /// The applicant's first-round rating of the case, if any (a hotline caller's is theirs).
    static func existing(_ caseID: UUID, on db: any Database) async throws -> RatingModel? {
        try await RatingModel.query(on: db).filter(\.$caseID == caseID).filter(\.$round == 1)
            .filter(\.$channel != RatingChannel.hotline.rawValue).first()
    }

    static func rate(_ caseID: UUID, _ input: Input, req: Request) async throws -> RatingModel {
        guard let me = try await ApplicantService.own(req) else { throw Abort(.forbidden) }
        guard let c = try await CaseModel.find(caseID, on: req.db) else { throw Abort(.notFound) }
        guard c.applicantID == me.id else { throw Abort(.forbidden) }
        return try await rate(c, by: me, channel: .web, input, req: req)
    }

    /// The applicant's rating of their case, however they reached it: signed in (`web`), from the
    /// notice's QR code (`qr_code`) or the link the SMS brought (`sms`).
    static func rate(
        _ c: CaseModel, by me: ApplicantModel, channel: RatingChannel, _ input: Input, req: Request
    ) async throws
        -> RatingModel
    {
        let caseID = try c.requireID()
        guard let state = CaseState(rawValue: c.state), ratable(state) else {
            throw ValidationFailure([FieldError("case", "rating.caseNotDone")])
        }
        let checked = try RatingFigures.checked(level: input.level, tags: input.tags, text: input.text)
        let today = HallClock.day(req.now)
        let millis = HallClock.millis(req.now)
        let due =
            checked.level.isBad ? try await BadRatingService.dueDate(center: c.centerID, on: today, app: req.application, db: req.db) : nil
        var staff: UUID?
        if let handler = c.handlerID { staff = try await UserModel.find(handler, on: req.db)?.staffID }
        let r = RatingModel()
        r.id = UUID.timeOrdered()
        r.centerID = c.centerID
        r.departmentID = c.departmentID
        r.windowID = nil
        r.staffID = staff
        r.itemID = c.itemID
        r.caseID = caseID
        r.ticketID = nil
        r.channel = channel.rawValue
        r.raterKind = me.kind == "person" ? RaterKind.person.rawValue : RaterKind.legalEntity.rawValue
        r.raterIdentity = "applicant:" + me.id!.uuidString.lowercased()
        r.level = checked.level.rawValue
        r.tags = checked.tags
        r.text = checked.text
        r.at = millis
        r.round = 1
        r.excluded = false
        r.source = RatingFlags.source(req)
        r.operatorName = ""
        let number = c.number
        return try await req.audited { db in
            // One rating per case and round, checked inside the write.
            if try await existing(caseID, on: db) != nil { throw ValidationFailure([FieldError("case", "rating.alreadyRated")]) }
            try await r.storeNew(on: db)
            return (
                r,
                [
                    AuditEvent(
                        "rating.create", "rating", id: r.id, center: r.centerID,
                        detail: ["case": number, "level": String(r.level ?? 0), "channel": r.channel])
                ] + (try await RatingFigures.recorded(r, due: due, today: today, millis: millis, on: db))
            )
        }
    }
}

/// 再次评价 (round 2): once a bad rating was rectified or explained, its rater may rate again —
/// an applicant for their case, a visitor with the ticket's follow token. The second rating is
/// kept beside the first and counted apart (`RatingTally.secondRound`).
enum RateAgain {
    struct Input: Content {
        var level: Int?
        var tags: [String]?
        var text: String?
        var token: String?
    }

    static func rate(_ ratingID: UUID, _ input: Input, req: Request) async throws -> RatingModel {
        guard let first = try await RatingModel.find(ratingID, on: req.db), first.round == 1,
            let b = try await BadRatingModel.find(ratingID, on: req.db)
        else { throw Abort(.notFound) }
        // Only the rater: the applicant of a case rating, or whoever holds the visit's ticket.
        if let caseID = first.caseID {
            // The applicant signed in, or holding the case's rating link (the notice's QR code, the SMS).
            let byLink = input.token.map { RatingLinks.valid($0, for: caseID) } ?? false
            if !byLink {
                guard let me = try await ApplicantService.own(req), first.raterIdentity == "applicant:" + me.id!.uuidString.lowercased(),
                    try await CaseModel.find(caseID, on: req.db)?.applicantID == me.id
                else { throw Abort(.forbidden) }
            }
            guard first.channel != RatingChannel.hotline.rawValue else { throw Abort(.forbidden) }
        } else if let ticketID = first.ticketID {
            guard let token = input.token, !token.isEmpty, let t = try await HallRows.ticket(ticketID, on: req.db), token == t.followToken
            else { throw Abort(.forbidden, reason: req.t("queue.ratingDevicesOnly")) }
        } else {
            throw Abort(.forbidden)
        }
        if let why = b.flow.refusal(.rateAgain) { throw Abort(.conflict, reason: req.t(why)) }
        let checked = try RatingFigures.checked(level: input.level, tags: input.tags, text: input.text)
        let today = HallClock.day(req.now)
        let r = RatingModel()
        r.id = UUID.timeOrdered()
        r.centerID = first.centerID
        r.departmentID = first.departmentID
        r.windowID = first.windowID
        r.staffID = first.staffID
        r.itemID = first.itemID
        r.caseID = first.caseID
        r.ticketID = first.ticketID
        r.channel = first.caseID == nil ? RatingChannel.qrCode.rawValue : RatingChannel.web.rawValue
        r.raterKind = first.raterKind
        r.raterIdentity = first.raterIdentity
        r.level = checked.level.rawValue
        r.tags = checked.tags
        r.text = checked.text
        r.at = HallClock.millis(req.now)
        r.round = 2
        r.excluded = false
        r.source = ""
        r.operatorName = ""
        return try await req.audited { db in
            guard let row = try await BadRatingModel.find(ratingID, on: db) else { throw Abort(.notFound) }
            if let why = row.flow.refusal(.rateAgain) { throw Abort(.conflict, reason: req.t(why)) }
            row.ratedAgain = true
            try await row.save(on: db)
            try await r.storeNew(on: db)
            try await RatingFigures.change(day: today.description, scopes: RatingFigures.scopes(r), on: db) {
                $0.add(RatingFigures.entry(r))
            }
            return (
                r,
                [
                    AuditEvent(
                        "rating.again", "rating", id: ratingID, center: r.centerID,
                        detail: ["level": String(r.level ?? 0), "second": r.id!.uuidString])
                ]
            )
        }
    }
}

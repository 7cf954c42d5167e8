import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// 一次一评: the rating of a served ticket, from the window's evaluator or from the visitor's
/// phone through the ticket's QR code — one per ticket, whichever comes first.
enum VisitRating {
    struct Input: Content {
        var level: Int?
        var tags: [String]?
        var text: String?
        /// The evaluator's time ran out: record "not rated".
        var notRated: Bool?
        /// The ticket's follow token, when rating from a phone, a kiosk or a web page.
        var token: String?
        /// With a token: where it is given — `qr_code` (the default: the ticket's QR code on a
        /// phone), `kiosk` (the hall's self-service kiosk) or `web` (the ticket's page).
        var channel: String?
    }

    /// Why a rating was refused inside its write: the job answers with this instead of throwing,
    /// so that a refused rating does not make its batch run again job by job.
    enum Refusal: Sendable {
        case notFound
        case invalid([FieldError])
    }

    enum Outcome: Sendable {
        case rated(RatingModel)
        case refused(Refusal)
    }

    /// Whose the ticket is and its token are checked on four columns read before the write (the
    /// hall's set-up, from its cache, needs the ticket's center); its state inside the write, on
    /// the row as the batch read it.
    static func rate(ticket ticketID: UUID, input: Input, req: Request) async throws -> RatingModel {
        let p = req.principal
        let evaluator = p?.role == .windowEvaluator ? p : nil
        let token = input.token ?? ""
        let channel: RatingChannel
        if evaluator != nil {
            channel = .windowDevice
        } else if !token.isEmpty {
            switch input.channel ?? "" {
            case "", RatingChannel.qrCode.rawValue: channel = .qrCode
            case RatingChannel.kiosk.rawValue: channel = .kiosk
            case RatingChannel.web.rawValue: channel = .web
            default: throw ValidationFailure([FieldError("channel", "invalidChoice")])
            }
        } else {
            // Staff cannot rate themselves or anyone else.
            throw Abort(.forbidden, reason: req.t("queue.ratingDevicesOnly"))
        }
        let level: RatingLevel?
        let tags: String
        let text: String
        if input.notRated == true, channel == .windowDevice {
            (level, tags, text) = (nil, "", "")
        } else {
            (level, tags, text) = try RatingFigures.checked(level: input.level, tags: input.tags, text: input.text)
        }
        guard let facts = try await HallRows.ratingFacts(ticketID, on: req.db) else { throw Abort(.notFound) }
        if let evaluator {
            guard evaluator.windowID != nil, facts.windowID == evaluator.windowID else {
                throw Abort(.forbidden, reason: req.t("queue.notThisWindow"))
            }
        } else if token != facts.followToken {
            throw Abort(.forbidden, reason: req.t("queue.ratingDevicesOnly"))
        }
        let millis = HallClock.millis(req.now)
        let today = HallClock.day(req.now)
        let source = RatingFlags.source(req)
        let hall = try await req.application.halls.config(for: facts.centerID, on: req.db)
        let department = responsibleDepartment(window: facts.windowID, group: facts.groupID, hall: hall)
        // A bad rating is assigned with its deadline in the same transaction.
        let due =
            level?.isBad == true
            ? try await BadRatingService.dueDate(center: facts.centerID, on: today, app: req.application, db: req.db) : nil
        let outcome = try await req.audited(needs: HallNeeds(tickets: [ticketID])) { db -> (Outcome, [AuditEvent]) in
            guard let t = try await HallRows.ticket(ticketID, on: db) else { return (.refused(.notFound), []) }
            guard t.state == TicketState.finished.rawValue else {
                return (.refused(.invalid([FieldError("ticket", "queue.notFinished")])), [])
            }
            if t.rated { return (.refused(.invalid([FieldError("ticket", "queue.alreadyRated")])), []) }
            let r = record(
                t, department: department, channel: channel, level: level?.rawValue, tags: tags, text: text, at: millis)
            // The evaluator is one device per window; anything else is known by its address.
            r.source = channel == .windowDevice ? "device:" + (t.windowID?.uuidString.lowercased() ?? "") : source
            try await HallRows.insert(r, on: db)
            t.rated = true
            try await HallRows.save(t, on: db)
            var events = [
                AuditEvent(
                    "rating.create", "rating", id: r.id, center: r.centerID,
                    detail: ["ticket": t.number, "level": level.map { String($0.rawValue) } ?? "none", "channel": channel.rawValue])
            ]
            events += try await RatingFigures.recorded(
                r, due: due, today: today, millis: millis, askedAt: channel == .windowDevice ? t.finishedAt : nil, on: db)
            return (.rated(r), events)
        }
        switch outcome {
        case .rated(let r):
            req.application.hub.publish(center: r.centerID, HallEvent(kind: .rated, windowID: r.windowID))
            return r
        case .refused(.notFound): throw Abort(.notFound)
        case .refused(.invalid(let errors)): throw ValidationFailure(errors)
        }
    }

    /// The department a visit's rating belongs to: the window's, else the group's.
    static func responsibleDepartment(_ t: TicketModel, hall: HallConfig) -> UUID? {
        responsibleDepartment(window: t.windowID, group: t.groupID, hall: hall)
    }

    static func responsibleDepartment(window: UUID?, group: UUID, hall: HallConfig) -> UUID? {
        window.flatMap { hall.window($0)?.departmentID } ?? hall.group(group)?.departmentID
    }

    /// The §6 record of a visit's rating (level nil: not rated), first round, by a person.
    static func record(
        _ t: TicketModel, department: UUID?, channel: RatingChannel, level: Int?, tags: String, text: String, at millis: Int64
    ) -> RatingModel {
        let r = RatingModel()
        r.id = UUID.timeOrdered()
        r.centerID = t.centerID
        r.departmentID = department
        r.windowID = t.windowID
        r.staffID = t.staffID
        r.ticketID = t.id
        r.channel = channel.rawValue
        r.raterKind = RaterKind.person.rawValue
        r.raterIdentity = nil
        r.level = level
        r.tags = tags
        r.text = text
        r.at = millis
        r.round = 1
        r.excluded = false
        r.source = ""
        r.operatorName = ""
        return r
    }

    /// The ticket an evaluator should ask about: the last one its window finished within the
    /// evaluator's time, not yet rated.
    static func pending(window: UUID, hall: HallConfig, now: Date, on db: any Database) async throws -> TicketModel? {
        let since = HallClock.millis(now) - Int64(max(hall.ratingTimeout, 5)) * 1000
        return try await TicketModel.query(on: db).filter(\.$windowID == window).filter(\.$state == TicketState.finished.rawValue)
            .filter(\.$rated == false).filter(\.$finishedAt >= since).sort(\.$finishedAt, .descending).first()
    }
}

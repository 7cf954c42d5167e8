import Fluent
import Foundation
import NIOCore
import OneStopCore
import SQLKit
import Vapor

/// The hall's housekeeping, every `interval` on every instance (each change re-reads its rows
/// inside the audited transaction, so instances never do it twice):
/// - bookings whose slot has passed without a check-in become no-shows (their slots free);
/// - tickets left open from an earlier day expire, and windows still signed in from an earlier
///   day are signed out at that day's end;
/// - a served ticket whose window has an evaluator, and which got no answer within the center's
///   rating time (plus a minute for a device that was off), is recorded as "not rated".
enum HallSweeper {
    static let interval: TimeAmount = .seconds(20)

    struct Outcome: Sendable, Equatable {
        var noShows = 0
        var expired = 0
        var signedOut = 0
        var notRated = 0
    }

    static func sweep(app: Application, now: Date) async throws -> Outcome {
        let db = app.db
        let centers = try await ServiceGroupModel.query(on: db).unique().all(\.$centerID)
        var total = Outcome()
        for center in Set(centers) {
            let hall = try await app.halls.config(for: center, on: db)
            let o = try await sweep(hall: hall, app: app, now: now)
            total.noShows += o.noShows
            total.expired += o.expired
            total.signedOut += o.signedOut
            total.notRated += o.notRated
        }
        return total
    }

    static func sweep(hall: HallConfig, app: Application, now: Date) async throws -> Outcome {
        let center = hall.centerID
        let today = HallClock.day(now).description
        let minute = HallClock.minuteOfDay(now)
        let millis = HallClock.millis(now)
        let ratingDeadline = millis - Int64(hall.ratingTimeout + 60) * 1000
        // Bookings missed and tickets left open from an earlier day are found on a reader and read
        // again in the transaction: each search walks the center's earlier days, which grow with
        // its history, and on the writer every window of the hall would wait for it.
        let missed = { @Sendable (q: QueryBuilder<AppointmentModel>) in
            q.filter(\.$state == "booked")
                .group(.or) { $0.filter(\.$day < today).group(.and) { $0.filter(\.$day == today).filter(\.$slotEnd < minute) } }
        }
        let open = [TicketState.waiting, .called, .serving, .parked].map(\.rawValue)
        let leftOpen = { @Sendable (q: QueryBuilder<TicketModel>) in q.filter(\.$day < today).filter(\.$state ~~ open) }
        let lateIDs = try await missed(AppointmentModel.query(on: app.db).filter(\.$centerID == center)).field(\.$id).all()
            .compactMap(\.id)
        let leftoverIDs = try await leftOpen(TicketModel.query(on: app.db).filter(\.$centerID == center)).field(\.$id).all()
            .compactMap(\.id)
        let outcome = try await app.groupCommit.run(actor: "system", now: now) { db -> (Outcome, [AuditEvent]) in
            var o = Outcome()
            var events: [AuditEvent] = []
            // Bookings missed.
            let late =
                lateIDs.isEmpty
                ? []
                : try await missed(AppointmentModel.query(on: db).filter(\.$id ~~ lateIDs)).all()
            if !late.isEmpty {
                let ids = late.compactMap(\.id)
                try await AppointmentModel.query(on: db).filter(\.$id ~~ ids).set(\.$state, to: "no_show").update()
                o.noShows = ids.count
                events += ids.map { AuditEvent("appointment.noShow", "appointment", id: $0, center: center) }
            }
            // Tickets left open from an earlier day (read again: one may have been closed since).
            let leftovers =
                leftoverIDs.isEmpty
                ? []
                : try await leftOpen(TicketModel.query(on: db).filter(\.$id ~~ leftoverIDs)).all()
            for t in leftovers {
                t.state = TicketState.expired.rawValue
                t.finishedAt = t.finishedAt ?? HallClock.millis(HallClock.instant(CivilDate(t.day) ?? HallClock.day(now), minute: 24 * 60))
                try await t.update(on: db)
                events.append(
                    AuditEvent("queue.expire", "ticket", id: t.id, center: center, detail: ["number": t.number, "day": t.day]))
            }
            o.expired = leftovers.count
            // Windows left signed in from an earlier day.
            let seats = try await WindowStateModel.query(on: db).filter(\.$centerID == center).all()
                .filter { $0.userID != nil || $0.ticketID != nil }
            // A seat lets go of a ticket that is no longer called or being served (one query for all).
            let heldIDs = seats.compactMap(\.ticketID)
            let stillHeld = Set(
                heldIDs.isEmpty
                    ? []
                    : try await TicketModel.query(on: db).filter(\.$id ~~ heldIDs)
                        .filter(\.$state ~~ [TicketState.called.rawValue, TicketState.serving.rawValue]).all().compactMap(\.id))
            for s in seats {
                let seatDay = HallClock.day(Date(timeIntervalSince1970: Double(s.changedAt) / 1000))
                let stale = seatDay.description < today
                if stale, s.userID != nil {
                    let end = HallClock.millis(HallClock.instant(seatDay, minute: 24 * 60))
                    try await WindowDesk.event(
                        "signout", window: s.id!, center: center, staff: s.staffID, at: end, day: seatDay.description
                    )
                    .create(on: db)
                    events.append(AuditEvent("window.signOut", "window", id: s.id, center: center, detail: ["by": "end of day"]))
                    s.userID = nil
                    s.staffID = nil
                    s.paused = false
                    o.signedOut += 1
                }
                if let held = s.ticketID, stale || !stillHeld.contains(held) { s.ticketID = nil }
                if s.hasChanges {
                    s.changedAt = millis
                    try await s.update(on: db)
                }
            }
            return (o, events)
        }
        var total = outcome
        total.notRated = try await recordNotRated(hall: hall, app: app, deadline: ratingDeadline, now: now)
        if total != Outcome() { app.hub.publish(center: center, HallEvent(kind: .changed)) }
        return total
    }

    /// Tickets recorded "not rated" per transaction (three statements for all of them), so that
    /// the hall's window actions, which wait on the one writer, go on between the chunks.
    static let notRatedChunk = 50
    /// At most this many per sweep; a longer backlog (a window given an evaluator, a server that
    /// was down) goes on at the next sweep.
    static let notRatedPerSweep = 500

    /// Served, not rated in time, at a window with an evaluator: recorded as "not rated". The
    /// tickets are found on a reader, outside the writer (the search walks the windows' finished
    /// tickets), then recorded a chunk per transaction, each ticket read again inside it, so that
    /// the hall's actions go on between the chunks: 500 in one transaction held the hall up for
    /// 0.7 s (the hall-day benchmark, on a center whose history had never been rated).
    static func recordNotRated(
        hall: HallConfig, app: Application, deadline: Int64, now: Date, chunk size: Int = notRatedChunk
    ) async throws -> Int {
        let center = hall.centerID
        let millis = HallClock.millis(now)
        let evaluators = try await DeviceModel.query(on: app.db).filter(\.$centerID == center)
            .filter(\.$role == Role.windowEvaluator.rawValue).filter(\.$revokedAt == nil).all().compactMap(\.windowID)
        guard !evaluators.isEmpty else { return 0 }
        let due = try await TicketModel.query(on: app.db).filter(\.$centerID == center)
            .filter(\.$state == TicketState.finished.rawValue).filter(\.$rated == false)
            .filter(\.$finishedAt < deadline).filter(\.$windowID ~~ Set(evaluators)).sort(\.$finishedAt).limit(notRatedPerSweep)
            .field(\.$id).all().compactMap(\.id)
        var recorded = 0
        for start in stride(from: 0, to: due.count, by: size) {
            let chunk = Array(due[start..<min(start + size, due.count)])
            recorded += try await app.groupCommit.run(actor: "system", now: now) { db -> (Int, [AuditEvent]) in
                // Rated or changed since it was found: left alone.
                let unrated = try await TicketModel.query(on: db).filter(\.$id ~~ chunk)
                    .filter(\.$state == TicketState.finished.rawValue).filter(\.$rated == false).all()
                let ratings = unrated.map { t in
                    VisitRating.record(
                        t, department: VisitRating.responsibleDepartment(t, hall: hall), channel: .windowDevice, level: nil, tags: "",
                        text: "", at: millis)
                }
                guard !ratings.isEmpty, let sql = db as? any SQLDatabase else { return (0, []) }
                try await HallRows.writeRatings(ratings, on: db)
                // "Not rated" counts in the day's figures too (never in a rate).
                try await RatingFigures.recordedNotRated(ratings, today: HallClock.day(now), on: db)
                try await sql.update("tickets").set("rated", to: true).where("id", .in, unrated.compactMap(\.id)).run()
                let events = zip(unrated, ratings).map { t, r in
                    AuditEvent(
                        "rating.create", "rating", id: r.id, center: center, detail: ["ticket": t.number, "level": "none", "by": "sweep"])
                }
                return (unrated.count, events)
            }
        }
        return recorded
    }
}

/// Runs the sweeper on a timer while the server runs (not in tests, which call it themselves).
struct HallSweeperLifecycle: LifecycleHandler {
    final class Box: @unchecked Sendable { var task: RepeatedTask? }
    let box = Box()

    func didBoot(_ app: Application) throws {
        guard app.runsBackgroundJobs else { return }
        box.task = app.eventLoopGroup.next().scheduleRepeatedAsyncTask(initialDelay: .seconds(5), delay: HallSweeper.interval) { _ in
            app.eventLoopGroup.next().makeFutureWithTask {
                do {
                    _ = try await HallSweeper.sweep(app: app, now: app.clock.now())
                } catch {
                    app.logger.warning("hall sweep failed: \(error)")
                }
            }
        }
    }

    func shutdown(_ app: Application) { box.task?.cancel() }
}

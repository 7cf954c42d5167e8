import Fluent
import Foundation
import OneStopCore
import Vapor

/// What is a member of staff's own now, on their home page after sign-in: the window they sit at
/// and who waits for it, their open cases by the working days left, their cards and warnings, and
/// their unread messages.
struct StaffWorkView: Encodable {
    struct Seat: Encodable {
        var window: String
        var paused: Bool
        var waiting: Int
    }

    struct Bucket: Encodable {
        var label: String
        var count: Int
        var tone: String
    }

    struct Case: Encodable {
        var id: String
        var number: String
        var itemName: String
        var due: String
        var left: String
        var tone: String
        /// 特事特办's name; such cases come first.
        var special: String = ""
    }

    var seat: Seat?
    /// Whether the viewer works at windows (the console is theirs to open).
    var atWindows: Bool
    var openCases: Int
    var buckets: [Bucket]
    var urgent: [Case]
    var openCards: Int
    var warned: Int
    var unread: Int
    /// Who is on duty in the hall today (issue 23): the leader, and the heads on the floor.
    var onDuty: String = ""
    /// 延时服务 bookings assigned to the viewer today, as "12:00-12:30 B 市场主体登记 · 孙丽".
    var extended: [String] = []
}

enum StaffHome {
    static let closed = ["delivered", "refused", "withdrawn", "terminated"]

    static func load(_ req: Request, principal p: Principal) async throws -> StaffWorkView {
        let today = HallClock.day(req.now)
        var seat: StaffWorkView.Seat?
        if let state = try await WindowStateModel.query(on: req.db).filter(\.$userID == p.id).first(),
            let windowID = state.id
        {
            let hall = try await req.application.halls.config(for: state.centerID, on: req.db)
            if let w = hall.window(windowID) {
                let status = try await QueueQueries.status(hall: hall, req: req)
                let waiting = status.groups.filter { w.groups.contains($0.id) }.reduce(0) { $0 + $1.waiting }
                seat = .init(window: req.t("queue.atWindow", "n", String(w.number)) + " " + w.name, paused: state.paused, waiting: waiting)
            }
        }
        let cases = try await CaseModel.query(on: req.db).filter(\.$handlerID == p.id).filter(\.$state !~ closed)
            .field(\.$id).field(\.$number).field(\.$itemName).field(\.$promisedDue).field(\.$level).field(\.$centerID).field(\.$special)
            .all()
        var calendars: [UUID: WorkCalendar] = [:]
        var timed: [(c: CaseModel, left: Int, due: String)] = []
        for c in cases {
            guard let due = c.promisedDue, let day = CivilDate(due) else { continue }
            if calendars[c.centerID] == nil {
                calendars[c.centerID] = try await req.application.calendars.calendar(for: c.centerID, on: req.db)
            }
            guard let left = calendars[c.centerID]?.countWorkingDays(from: today, to: day) else { continue }
            timed.append((c, left, due))
        }
        timed.sort { $0.left < $1.left }
        // 特事特办 lead the list of what is most urgent.
        timed = SpecialHandling.leading(timed) { $0.c.special != nil }
        func tone(_ left: Int) -> String { left < 0 ? "bad" : left <= 2 ? "warn" : "ok" }
        let buckets: [StaffWorkView.Bucket] = [
            .init(label: req.t("home.work.overdue"), count: timed.filter { $0.left < 0 }.count, tone: "bad"),
            .init(label: req.t("home.work.soon"), count: timed.filter { (0...2).contains($0.left) }.count, tone: "warn"),
            .init(label: req.t("home.work.later"), count: timed.filter { $0.left > 2 }.count, tone: "ok"),
            .init(label: req.t("home.work.untimed"), count: cases.count - timed.count, tone: ""),
        ]
        let urgent = timed.prefix(5).map { t in
            StaffWorkView.Case(
                id: t.c.id?.uuidString.lowercased() ?? "", number: t.c.number, itemName: t.c.itemName, due: t.due,
                left: t.left < 0
                    ? req.t("home.work.overdueBy", "n", String(-t.left))
                    : t.left == 0
                        ? req.t("home.work.dueToday")
                        : req.t("home.work.daysLeft", "n", String(t.left)),
                tone: tone(t.left),
                special: t.c.special.flatMap(SpecialHandling.init(rawValue:)).map { req.t($0.messageKey) } ?? "")
        }
        let cards = try await CardModel.query(on: req.db).filter(\.$userID == p.id).filter(\.$status == "open").count()
        let unread = try await InboxMessageModel.query(on: req.db).filter(\.$userID == p.id).filter(\.$readAt == nil).count()
        let duty = try await DutyService.onDuty(p.centerID, day: today, req: req)
        let onDuty = [
            duty.leader.map { req.t("duty.onDutyToday", ["name": $0.name]) },
            duty.floor.isEmpty
                ? nil
                : req.t(
                    "duty.floorToday",
                    ["names": duty.floor.map { $0.name + ($0.department.map { "（\($0)）" } ?? "") }.joined(separator: "、")]),
        ].compactMap { $0 }.joined(separator: " · ")
        var view = StaffWorkView(
            seat: seat, atWindows: [.windowStaff, .chiefRepresentative, .centerAdmin].contains(p.role), openCases: cases.count,
            buckets: buckets, urgent: Array(urgent), openCards: cards, warned: cases.filter { $0.level != "normal" }.count, unread: unread,
            onDuty: onDuty)
        if let staff = try await UserModel.find(p.id, on: req.db)?.staffID {
            let mine = try await AppointmentModel.query(on: req.db).filter(\.$staffID == staff).filter(\.$day == today.description)
                .filter(\.$state ~~ ["booked", "checked_in"]).sort(\.$slotStart).all()
            if !mine.isEmpty {
                let hall = try await req.application.halls.config(for: mine[0].centerID, on: req.db)
                view.extended = mine.map { a in
                    let group = hall.group(a.groupID).map { "\($0.prefix) \($0.name)" } ?? ""
                    return SlotPlan.clock(a.slotStart) + "-" + SlotPlan.clock(a.slotEnd) + " " + group + " · " + a.name + " · "
                        + req.t("appointment.state.\(a.state)")
                }
            }
        }
        return view
    }
}

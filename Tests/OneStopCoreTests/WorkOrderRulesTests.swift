import Foundation
import OneStopCore
import Testing

@Suite("Work orders: flow, time limits, duplicates, confidentiality, dispatch")
struct WorkOrderRulesTests {
    static let calendar = WorkCalendar(NationalCalendar.year2026)

    @Test("the flow: each step only from its states; a merged order follows its primary")
    func flow() {
        var f = WorkOrderFlow(state: .received, kind: .complaint, reachable: true)
        #expect(f.refusal(.dispatch) == nil && f.refusal(.sign) == "workOrder.notAwaitingSignature")
        #expect(f.refusal(.answer) == "workOrder.notConsultation")
        f.state = .dispatched
        #expect(f.refusal(.sign) == nil && f.refusal(.giveBack) == nil && f.refusal(.dispatch) == "workOrder.notAwaitingDispatch")
        #expect(f.refusal(.reply) == "workOrder.notHandling")
        f.state = .returned
        #expect(f.refusal(.dispatch) == nil, "dispatch re-dispatches or overrules a return")
        f.state = .handling
        #expect(f.refusal(.reply) == nil && f.refusal(.extend) == nil && f.refusal(.callBack) == "workOrder.notReplied")
        #expect(f.refusal(.judge) == "workOrder.notReplied")
        f.state = .replied
        #expect(f.refusal(.callBack) == nil && f.refusal(.judge) == nil && f.refusal(.reopen) == nil)
        f.judged = true
        #expect(f.refusal(.judge) == "workOrder.judgedAlready")
        f.state = .closed
        #expect(f.refusal(.merge) == "workOrder.notMergeable" && f.refusal(.reopen) == nil && f.refusal(.extend) == "workOrder.notRunning")
        let merged = WorkOrderFlow(state: .merged, kind: .complaint, reachable: true, mergedInto: true)
        #expect(merged.refusal(.sign) == "workOrder.mergedAway" && merged.refusal(.dispatch) == "workOrder.mergedAway")
        let anonymous = WorkOrderFlow(state: .replied, kind: .suggestion, reachable: false)
        #expect(anonymous.refusal(.callBack) == "workOrder.noContact" && anonymous.afterReply == .closed)
        #expect(WorkOrderFlow(state: .handling, kind: .praise, reachable: true).refusal(.judge) == "workOrder.notComplaint")
    }

    @Test("a call-back closes the order, or reopens it when dissatisfied or unsolved; not reached changes nothing")
    func callBack() {
        #expect(WorkOrderFlow.afterCallBack(reached: true, satisfaction: .satisfied, solved: true) == .closed)
        #expect(WorkOrderFlow.afterCallBack(reached: true, satisfaction: .basically, solved: true) == .closed)
        #expect(WorkOrderFlow.afterCallBack(reached: true, satisfaction: .dissatisfied, solved: true) == .handling)
        #expect(WorkOrderFlow.afterCallBack(reached: true, satisfaction: .satisfied, solved: false) == .handling)
        #expect(WorkOrderFlow.afterCallBack(reached: false, satisfaction: nil, solved: nil) == .replied)
    }

    @Test("limits: clock hours for emergencies, working days on the calendar for the rest; online consultations 2 or 3 days")
    func limits() throws {
        let l = WorkOrderLimits()
        #expect(l.handling(kind: .complaint, urgency: .emergency, channel: .phone, joint: false) == .hours(2))
        #expect(l.handling(kind: .complaint, urgency: .urgent, channel: .phone, joint: false) == .hours(24))
        #expect(l.handling(kind: .complaint, urgency: .general, channel: .phone, joint: false) == .workingDays(7))
        #expect(l.handling(kind: .help, urgency: .complex, channel: .phone, joint: true) == .workingDays(15))
        #expect(l.handling(kind: .consultation, urgency: .general, channel: .web, joint: false) == .workingDays(2))
        #expect(l.handling(kind: .consultation, urgency: .general, channel: .open311, joint: true) == .workingDays(3))
        #expect(l.handling(kind: .consultation, urgency: .general, channel: .phone, joint: false) == .workingDays(7))
        #expect(l.handling(kind: .consultation, urgency: .emergency, channel: .web, joint: false) == .hours(2))
        // 2 hours run through the night: dispatched at 17:30, due at 19:30.
        #expect(
            WorkOrderLimits.deadline(.hours(2), from: 1_000, day: CivilDate(year: 2026, month: 9, day: 30)!, calendar: Self.calendar)
                == .at(7_201_000))
        // 7 working days from Wednesday 30 September 2026, over the National Day holiday (1–8 October).
        let due = WorkOrderLimits.deadline(
            .workingDays(7), from: 0, day: CivilDate(year: 2026, month: 9, day: 30)!, calendar: Self.calendar)
        #expect(due == .endOf(Self.calendar.addWorkingDays(7, to: CivilDate(year: 2026, month: 9, day: 30)!)!))
        if case .endOf(let d) = due { #expect(d > CivilDate(year: 2026, month: 10, day: 12)!) }
        #expect(WorkOrderLimit("2h") == .hours(2) && WorkOrderLimit("15d") == .workingDays(15))
        #expect(WorkOrderLimit("0h") == nil && WorkOrderLimit("2x") == nil && WorkOrderLimit("") == nil && WorkOrderLimit("91d") == nil)
        #expect(WorkOrderLimit.hours(2).extended(by: 4) == .hours(6))
    }

    @Test("supervision's ladder: reminder in the last quarter, yellow at the deadline, red a full length later")
    func watch() {
        let start: Int64 = 0
        let due: Int64 = 7_200_000
        #expect(WorkOrderWatch.stage(start: start, due: due, now: 5_000_000) == .none)
        #expect(WorkOrderWatch.stage(start: start, due: due, now: 5_400_000) == .reminded)
        #expect(WorkOrderWatch.stage(start: start, due: due, now: due) == .yellow)
        #expect(WorkOrderWatch.stage(start: start, due: due, now: 2 * due) == .red)
        #expect(WorkOrderWatch.nextLook(start: start, due: due, now: 0) == 5_400_000)
        #expect(WorkOrderWatch.nextLook(start: start, due: due, now: 5_400_000) == due)
        #expect(WorkOrderWatch.nextLook(start: start, due: due, now: due) == 2 * due)
        #expect(WorkOrderWatch.nextLook(start: start, due: due, now: 2 * due) == nil)
    }

    @Test("input: a kind owed a reply needs a phone; anonymous drops the caller; a report is always confidential")
    func input() throws {
        func check(_ i: WorkOrderInput) -> [String] {
            switch i.checked() {
            case .success: return []
            case .failure(let f): return f.errors.map { "\($0.field):\($0.code)" }
            }
        }
        #expect(
            check(.init(kind: "complaint", channel: "phone", urgency: nil, callerName: "张三", callerPhone: nil, text: "窗口无人"))
                == ["callerPhone:workOrder.replyNeedsContact"])
        #expect(
            check(.init(kind: "complaint", channel: "phone", urgency: nil, callerName: nil, callerPhone: nil, anonymous: true, text: "x"))
                == ["anonymous:workOrder.replyNeedsContact"])
        #expect(check(.init(kind: "gossip", channel: "fax", urgency: "soon", callerName: nil, callerPhone: "123", text: "")).count == 5)
        let report = try WorkOrderInput(
            kind: "report", channel: "web", urgency: "", callerName: "李四", callerPhone: "13800138000", anonymous: true,
            text: "某窗口人员收取好处费\n详情如下"
        ).checked().get()
        #expect(report.confidential && report.callerName.isEmpty && report.callerPhone == nil && report.urgency == .general)
        #expect(report.title == "某窗口人员收取好处费")
        let asked = try WorkOrderInput(
            kind: "suggestion", channel: "phone", urgency: "general", callerName: "王五", callerPhone: "13800138000", confidential: true,
            text: "建议延长午间服务"
        ).checked().get()
        #expect(asked.confidential && asked.callerPhone == "13800138000")
    }

    @Test("confidentiality: a reporter is seen by the hotline only; an ordinary caller by staff, the whole number by the hotline")
    func privacy() {
        for role in Role.allCases {
            #expect(WorkOrderPrivacy.seesCaller(role, confidential: true) == (role == .hotlineOperator))
        }
        #expect(!WorkOrderPrivacy.seesCaller(nil, confidential: false) && !WorkOrderPrivacy.seesCaller(.applicant, confidential: false))
        #expect(WorkOrderPrivacy.seesCaller(.chiefRepresentative, confidential: false))
        #expect(!WorkOrderPrivacy.seesCaller(.kiosk, confidential: false))
        #expect(!WorkOrderPrivacy.seesWholePhone(.chiefRepresentative, confidential: false))
        #expect(WorkOrderPrivacy.seesWholePhone(.hotlineOperator, confidential: true))
    }

    @Test("duplicates: the same phone within the days, or a similar text about the same window, item or place")
    func duplicates() {
        let day: Int64 = 86_400_000
        let new = WorkOrderDuplicates.Fact(
            id: "n", at: 10 * day, phone: "p1", windowID: "w4", itemID: nil, address: "", text: "4号窗口工作人员态度恶劣，拒绝解释材料要求")
        let earlier = [
            WorkOrderDuplicates.Fact(id: "a", at: 9 * day, phone: "p1", windowID: nil, itemID: nil, address: "", text: "别的事"),
            .init(id: "b", at: 8 * day, phone: "p2", windowID: "w4", itemID: nil, address: "", text: "4号窗口工作人员态度恶劣，不解释材料"),
            .init(id: "c", at: 8 * day, phone: "p3", windowID: "w5", itemID: nil, address: "", text: "4号窗口工作人员态度恶劣，不解释材料"),
            .init(id: "d", at: 1 * day, phone: "p1", windowID: "w4", itemID: nil, address: "", text: "4号窗口工作人员态度恶劣"),
            .init(id: "e", at: 9 * day, phone: "p4", windowID: "w4", itemID: nil, address: "", text: "停车场收费太贵"),
        ]
        let m = WorkOrderDuplicates.matches(new, among: earlier, days: 7)
        #expect(m.map(\.id) == ["a", "b"], "\(m)")
        #expect(m[0].reason == .samePhone && m[1].reason == .similarText && m[1].similarity >= 0.5)
        #expect(WorkOrderDuplicates.similarity("abc", "abc") == 1 && WorkOrderDuplicates.similarity("", "abc") == 0)
        let place = WorkOrderDuplicates.Fact(
            id: "p", at: day, phone: nil, windowID: nil, itemID: nil, address: "中山路 12 号", text: "路灯不亮了好几天")
        let again = WorkOrderDuplicates.Fact(
            id: "q", at: day + 1, phone: nil, windowID: nil, itemID: nil, address: "中山路12号", text: "路灯好几天不亮了")
        #expect(WorkOrderDuplicates.matches(again, among: [place]).map(\.id) == ["p"])
    }

    @Test("dispatch: keywords, the order's item and the catalog's matches rank the departments")
    func dispatch() {
        let rules = [
            DispatchDirectory.Rule(departmentID: "tax", keywords: ["发票", "税"]),
            .init(departmentID: "market", keywords: ["营业执照", "食品"], itemKinds: ["permit"], itemCodes: ["FOOD-1"]),
            .init(departmentID: "police", keywords: ["户口", "身份证"], centers: ["other-center"]),
        ]
        let s = DispatchDirectory.rank(text: "我想开发票，营业执照怎么办", center: "c", item: nil, rules: rules)
        #expect(s.map(\.departmentID) == ["market", "tax"], "\(s)")
        let byItem = DispatchDirectory.rank(text: "咨询", center: "c", item: (code: "FOOD-1", kind: "permit"), rules: rules)
        #expect(byItem.first?.departmentID == "market" && byItem.first?.because == ["FOOD-1"])
        #expect(DispatchDirectory.rank(text: "身份证丢了", center: "c", item: nil, rules: rules).isEmpty, "another center's rule")
        let catalog = DispatchDirectory.rank(text: "户口迁移", center: "c", item: nil, rules: [], catalog: [("HK-1", "police"), ("X", "tax")])
        #expect(catalog.map(\.departmentID) == ["police", "tax"])
    }

    @Test("dispatch index: overlapping and repeated keywords, letter case, rules summed per department, the code before the kind")
    func dispatchIndex() {
        let index = DispatchDirectory.Index(rules: [
            .init(departmentID: "tax", keywords: ["税", "税务登记"]),
            .init(departmentID: "tax", keywords: ["税务"], itemKinds: ["permit"]),
            .init(departmentID: "it", keywords: ["WiFi"]),
            .init(departmentID: "market", keywords: ["食品"], itemKinds: ["permit"], itemCodes: ["FOOD-1"]),
        ])
        // 税 (1) + 税务登记 (4) + 税务 (2), each once although 税 occurs three times.
        let s = index.rank(text: "税务登记，税，税", item: nil)
        #expect(s.map(\.departmentID) == ["tax"] && s.first?.score == 7, "\(s)")
        #expect(s.first?.because == ["税", "税务", "税务登记"], "\(s)")
        #expect(index.rank(text: "大厅 wifi 连不上", item: nil).first?.departmentID == "it")
        // The market rule names the code (10), so its kind does not count again; tax's kind does (3).
        let byItem = index.rank(text: "", item: (code: "FOOD-1", kind: "permit"))
        #expect(byItem.map(\.score) == [10, 3] && byItem.first?.because == ["FOOD-1"], "\(byItem)")
        #expect(index.rank(text: "无关的话", item: nil).isEmpty)
        #expect(DispatchDirectory.Index(rules: []).rank(text: "税", item: nil).isEmpty)
    }

    @Test("接诉即办's rates, nil when there is nothing to divide by")
    func figures() {
        var f = WorkOrderFigures()
        #expect(f.responseRate == nil && f.solvedRate == nil && f.satisfactionRate == nil)
        f.dispatched = 4
        f.signedInTime = 3
        f.callBacks = 5
        f.solved = 4
        f.satisfied = 2
        #expect(f.responseRate == 0.75 && f.solvedRate == 0.8 && f.satisfactionRate == 0.4)
        #expect((f + f).dispatched == 8)
    }

    @Test("the report counts each step once from its outcome; a merged order's steps are its primary's")
    func report() {
        var f = WorkOrderFigures()
        f.count(action: "create", outcome: "", times: 3)
        f.count(action: "dispatch", outcome: "", times: 3, orders: 2)
        f.count(action: "dispatch", outcome: WorkOrderFigures.followerOutcome, times: 5)
        f.count(action: "sign", outcome: "in_time", times: 2)
        f.count(action: "sign", outcome: "late")
        f.count(action: "return", outcome: "")
        f.count(action: "reply", outcome: "in_time")
        f.count(action: "reply", outcome: "late")
        f.count(action: "call_back", outcome: "satisfied,solved")
        f.count(action: "call_back", outcome: "basically,unsolved")
        f.count(action: "call_back", outcome: "not_reached")
        f.count(action: "reopen", outcome: "")
        f.count(action: "judge", outcome: "valid")
        f.count(action: "judge", outcome: "invalid")
        f.count(action: "card", outcome: "red")
        #expect(f.received == 5 && f.dispatched == 3 && f.signedInTime == 2 && f.returned == 1)
        #expect(f.replied == 2 && f.repliedInTime == 1 && f.callBacks == 2 && f.solved == 1 && f.satisfied == 2)
        #expect(f.reopened == 2, "the unsolved call-back and the reopening by dispatch")
        #expect(f.validComplaints == 1)
        #expect(f.columns.count == WorkOrderFigures.columnNames.count)
        #expect(f.columns.suffix(WorkOrderFigures.rateColumns) == [2.0 / 3, 0.5, 0.5, 1])
    }

    @Test("a department received the orders dispatched to it; the center the orders taken in")
    func tally() {
        typealias G = WorkOrderFigures.Group
        let (rows, total) = WorkOrderFigures.tally([
            G(department: nil, action: "create", outcome: "", times: 4, orders: 4),
            G(department: "a", action: "dispatch", outcome: "", times: 3, orders: 2),
            G(department: "b", action: "dispatch", outcome: "overrule", times: 1, orders: 1),
            G(department: "a", action: "return", outcome: "", times: 2, orders: 1),
        ])
        #expect(rows["a"]?.received == 2 && rows["a"]?.dispatched == 3 && rows["a"]?.returned == 2)
        #expect(rows["b"]?.received == 1 && rows.count == 2)
        #expect(total.received == 4 && total.dispatched == 4 && total.returned == 2)
    }
}

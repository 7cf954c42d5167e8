import Testing

@testable import OneStopCore

@Suite("Cases: the transition table")
struct CaseFlowTests {
    let promised = CaseFlow.Facts(caseType: .promised)

    @Test("a closed case moves nowhere, and every other state can still be closed")
    func closedStates() {
        for s in CaseState.allCases {
            let moves = CaseFlow.table[s] ?? [:]
            if s.isClosed {
                #expect(moves.isEmpty, "\(s)")
            } else {
                #expect(moves.values.contains { $0.isClosed || $0.isDecided }, "\(s) has no way to an end")
            }
        }
        #expect(CaseFlow.table.count == CaseState.allCases.count)
    }

    @Test("every state is reachable from submitted, and every decided case can only be delivered")
    func reachable() {
        var seen: Set<CaseState> = [.submitted]
        var frontier: [CaseState] = [.submitted]
        while let s = frontier.popLast() {
            for to in (CaseFlow.table[s] ?? [:]).values where !seen.contains(to) {
                seen.insert(to)
                frontier.append(to)
            }
        }
        #expect(seen == Set(CaseState.allCases))
        #expect(CaseFlow.table[.approved] == [.deliver: .delivered])
        #expect(CaseFlow.table[.notApproved] == [.deliver: .delivered])
    }

    @Test("each move outside the table is refused with a reason in terms of the procedure")
    func refusals() {
        for s in CaseState.allCases {
            for a in CaseAction.allCases where CaseFlow.table[s]?[a] == nil {
                guard case .failure(let r) = CaseFlow.next(from: s, by: a, facts: promised) else {
                    Issue.record("\(s) --\(a)--> allowed")
                    continue
                }
                #expect(r.key.hasPrefix("case.refused."))
                #expect(r.arguments["state"] == s.messageKey)
            }
        }
        #expect(
            CaseFlow.next(from: .delivered, by: .accept, facts: promised)
                == .failure(.init("case.refused.closed", ["state": "case.state.delivered", "action": "case.action.accept"])))
        #expect(explainKey(.approved, .refuse) == "case.refused.decided")
        #expect(explainKey(.submitted, .approve) == "case.refused.notAccepted")
        #expect(explainKey(.reviewSupplement, .approve) == "case.refused.awaitingSupplement")
        #expect(explainKey(.suspended, .approve) == "case.refused.suspended")
        #expect(explainKey(.underReview, .accept) == "case.refused.alreadyAccepted")
        #expect(explainKey(.underReview, .deliver) == "case.refused.notDecided")
    }

    func explainKey(_ s: CaseState, _ a: CaseAction) -> String? {
        if case .failure(let r) = CaseFlow.next(from: s, by: a, facts: promised) { return r.key }
        return nil
    }

    @Test("the happy paths of the four case types")
    func paths() throws {
        func run(_ type: CaseType, _ actions: [CaseAction], openTasks: Int = 0) -> Result<CaseState, CaseFlow.Refusal> {
            var s = CaseState.submitted
            for a in actions {
                switch CaseFlow.next(from: s, by: a, facts: .init(caseType: type, openTasks: openTasks)) {
                case .success(let to): s = to
                case .failure(let r): return .failure(r)
                }
            }
            return .success(s)
        }
        #expect(run(.immediate, [.accept, .approve, .deliver]) == .success(.delivered))
        #expect(run(.promised, [.accept, .startReview, .suspend, .resume, .extend, .approve, .deliver]) == .success(.delivered))
        #expect(
            run(
                .promised, [.requestSupplement, .supplyMaterials, .accept, .startReview, .requestSupplement, .supplyMaterials, .disapprove])
                == .success(.notApproved))
        #expect(run(.reported, [.accept, .startReview, .forward, .approve]) == .success(.approved))
        #expect(run(.joint, [.accept, .startReview, .approve]) == .success(.approved))
        // What the table allows, the case's facts may still forbid.
        #expect(run(.promised, [.accept, .approve]) == .failure(.init("case.refused.reviewFirst")))
        #expect(run(.immediate, [.accept, .startReview]) == .failure(.init("case.refused.immediateDecideNow")))
        #expect(run(.immediate, [.accept, .extend]) == .failure(.init("case.refused.immediateNotTimed")))
        #expect(run(.reported, [.accept, .startReview, .approve]) == .failure(.init("case.refused.reportedAwaitsUpper")))
        #expect(run(.promised, [.accept, .startReview, .forward]) == .failure(.init("case.refused.forwardOnlyReported")))
        #expect(run(.joint, [.accept, .startReview, .approve], openTasks: 2) == .failure(.init("case.refused.openTasks", ["count": "2"])))
    }

    @Test("supplements before acceptance are asked for once, and not after the 5 working days")
    func supplementOnce() {
        #expect(
            CaseFlow.next(from: .submitted, by: .requestSupplement, facts: .init(caseType: .promised, supplementRequestedBefore: true))
                == .failure(.init("case.refused.supplementOnce")))
        #expect(
            CaseFlow.next(from: .submitted, by: .requestSupplement, facts: .init(caseType: .promised, supplementWindowPassed: true))
                == .failure(.init("case.refused.supplementTooLate")))
        // During review the clock stops again for each request; that is not the acceptance notice.
        #expect(
            CaseFlow.next(from: .underReview, by: .requestSupplement, facts: .init(caseType: .promised, supplementRequestedBefore: true))
                == .success(.reviewSupplement))
    }

    @Test("the actions that must say why")
    func reasons() {
        #expect(CaseAction.refuse.needsReason && CaseAction.extend.needsReason && CaseAction.terminate.needsReason)
        #expect(!CaseAction.accept.needsReason && !CaseAction.approve.needsReason)
    }

    @Test("case numbers are readable, sortable and parse back")
    func numbers() {
        let day = CivilDate("2026-11-23")!
        #expect(CaseNumber.make(center: "DL010200", day: day, sequence: 42) == "DL010200-20261123-0042")
        #expect(CaseNumber.make(center: "DL010200", day: day, sequence: 12345) == "DL010200-20261123-12345")
        let p = CaseNumber.parse("dl010200-20261123-0042")
        #expect(p?.center == "DL010200" && p?.day == day && p?.sequence == 42)
        for bad in ["", "DL010200-20261123", "DL010200-20261332-0001", "DL010200-20261123-00", "../x-20261123-0001", "A-20261123-0000"] {
            #expect(CaseNumber.parse(bad) == nil, "\(bad)")
        }
    }
}

@Suite("Cases: time limits on the 2026 calendar")
struct CaseClockTests {
    let cal = WorkCalendar(NationalCalendar.year2026)
    func d(_ s: String) -> CivilDate { CivilDate(s)! }

    @Test("deadlines skip the National Day week and count the make-up Saturday")
    func nationalDay() throws {
        let clock = CaseClock(started: d("2026-09-29"), promisedDays: 5, legalDays: 20)
        let r = try #require(clock.reading(on: d("2026-09-29"), calendar: cal))
        #expect(r.promisedDue == d("2026-10-12"))
        #expect(r.legalDue == d("2026-11-02"))
        #expect(r.used == 0 && r.promisedLeft == 5 && !r.stopped)
        // 9-30, 10-08, 10-09, 10-10 (make-up Saturday): 4 used on Sunday 10-11.
        #expect(clock.reading(on: d("2026-10-11"), calendar: cal)?.used == 4)
        #expect(clock.reading(on: d("2026-10-13"), calendar: cal)?.promisedLeft == -1)
    }

    @Test("the Spring Festival: accepted on the Friday before, due after the holiday")
    func springFestival() {
        let clock = CaseClock(started: d("2026-02-13"), promisedDays: 3, legalDays: 3)
        // 02-14 is a make-up Saturday, 02-15..23 off.
        #expect(clock.due(after: 3, calendar: cal) == d("2026-02-25"))
    }

    @Test("a supplement stops the clock from the day after it is asked for until the day the materials arrive")
    func supplementStop() throws {
        var clock = CaseClock(
            started: d("2026-09-29"), promisedDays: 5, legalDays: 20, stops: [.init(.supplement, from: d("2026-10-08"))])
        var r = try #require(clock.reading(on: d("2026-10-20"), calendar: cal))
        #expect(r.stopped && r.promisedDue == nil && r.legalDue == nil)
        #expect(r.used == 2)  // 09-30 and 10-08, then nothing while the supplement is awaited
        clock.stops[0].to = d("2026-10-12")
        r = try #require(clock.reading(on: d("2026-10-12"), calendar: cal))
        #expect(!r.stopped && r.used == 2)
        #expect(r.promisedDue == d("2026-10-15"))  // 10-13, 10-14, 10-15
        #expect(clock.used(by: d("2026-10-15"), calendar: cal) == 5)
        #expect(r.legalDue == d("2026-11-05"))
    }

    @Test("special procedures and an extension: the days of each stop and of the extension move the deadlines")
    func specialAndExtension() throws {
        let clock = CaseClock(
            started: d("2026-11-02"), promisedDays: 10, legalDays: 20, extensionDays: 10,
            stops: [
                .init(.special, from: d("2026-11-04"), to: d("2026-11-10")), .init(.supplement, from: d("2026-11-12"), to: d("2026-11-13")),
            ])
        // Plain: promised 20 working days (10 + 10) after 11-02 is 11-30; the stops take out
        // 11-05, 11-06, 11-09, 11-10 and 11-13: five more working days.
        let r = try #require(clock.reading(on: d("2026-11-13"), calendar: cal))
        #expect(r.promisedDue == d("2026-12-07"))
        #expect(r.legalDue == d("2026-12-21"))
        #expect(r.used == 4)  // 11-03, 11-04, 11-11, 11-12
        #expect(r.promisedLeft == 16 && r.legalLeft == 26)
    }

    @Test("a stop that begins after the deadline does not move it")
    func lateStop() {
        let clock = CaseClock(
            started: d("2026-11-02"), promisedDays: 2, legalDays: 2, stops: [.init(.special, from: d("2026-11-10"), to: d("2026-11-20"))])
        #expect(clock.due(after: 2, calendar: cal) == d("2026-11-04"))
    }

    @Test("five working days for a supplement notice, ten to deliver a decision, across May Day")
    func statutorySteps() {
        #expect(CaseClock.supplementNoticeDeadline(received: d("2026-04-30"), calendar: cal) == d("2026-05-11"))
        #expect(CaseClock.deliveryDeadline(decided: d("2026-09-24"), calendar: cal) == d("2026-10-15"))
    }

    @Test("warning levels and reminders by the standard thresholds")
    func levels() {
        let t = SupervisionThresholds.standard
        #expect(t.level(promisedLeft: 10, legalLeft: 20) == .normal)
        #expect(t.level(promisedLeft: 3, legalLeft: 13) == .reminder)
        #expect(t.level(promisedLeft: 0, legalLeft: 10) == .reminder)
        #expect(t.level(promisedLeft: -1, legalLeft: 9) == .yellow)
        #expect(t.level(promisedLeft: -11, legalLeft: -1) == .red)
        #expect(t.reminderDue(promisedLeft: 4) == nil)
        #expect(t.reminderDue(promisedLeft: 3) == 3)
        #expect(t.reminderDue(promisedLeft: 2) == 3)
        #expect(t.reminderDue(promisedLeft: 1) == 1)
        #expect(t.reminderDue(promisedLeft: 0) == 1)
        #expect(t.reminderDue(promisedLeft: -1) == nil)
        let strict = SupervisionThresholds(reminderDays: [5], yellowAfterPromised: 2, redAfterLegal: 1, explainWithin: 3)
        #expect(strict.level(promisedLeft: -1, legalLeft: 5) == .reminder)
        #expect(strict.level(promisedLeft: -2, legalLeft: 5) == .yellow)
        #expect(SupervisionThresholds(reminderDays: [0], yellowAfterPromised: 0, redAfterLegal: 99, explainWithin: 0).problems().count == 4)
        #expect(t.problems().isEmpty)
    }
}

@Suite("Unified social credit codes")
struct CreditCodeTests {
    @Test(
        "the check character of GB 32100",
        arguments: ["91350100M000100Y43", "91110000600037341L", "9111000071093123XX", " 91350100m000100y43 "])
    func valid(code: String) {
        #expect(CreditCode.isValid(code))
    }

    @Test("wrong length, letters outside the code's alphabet, a division that is not digits, a wrong check character")
    func invalid() {
        func problem(_ s: String) -> CreditCode.Problem? {
            if case .failure(let f) = CreditCode.validate(s) { return f.problem }
            return nil
        }
        #expect(problem("91350100M000100Y4") == .length)
        #expect(problem("91350100M000100YI3") == .characters)  // I is not used
        #expect(problem("913501O0M000100Y43") == .characters)
        #expect(problem("91A50100M000100Y4X") == .division)
        #expect(problem("91350100M000100Y44") == .checkCharacter)
        if case .success(let normalised) = CreditCode.validate(" 91350100m000100y43") {
            #expect(normalised == "91350100M000100Y43")
        } else {
            Issue.record("not normalised")
        }
    }
}

@Suite("Supervision checks")
struct SupervisionCheckTests {
    let t = SupervisionThresholds.standard

    @Test("the next look is the next threshold, however far; nothing while stopped or red")
    func next() {
        // Promised 5 days left, legal 20: reminder at 3 (in 2 days).
        #expect(
            SupervisionCheck.evaluate(promisedLeft: 5, legalLeft: 20, running: true, thresholds: t)
                == .init(level: .normal, reminder: nil, nextChangeIn: 2))
        #expect(
            SupervisionCheck.evaluate(promisedLeft: 3, legalLeft: 18, running: true, thresholds: t)
                == .init(level: .reminder, reminder: 3, nextChangeIn: 2))
        #expect(
            SupervisionCheck.evaluate(promisedLeft: 1, legalLeft: 16, running: true, thresholds: t)
                == .init(level: .reminder, reminder: 1, nextChangeIn: 2))
        // Yellow at -1; red when the legal limit is passed by a day: promised -16 here.
        #expect(
            SupervisionCheck.evaluate(promisedLeft: -1, legalLeft: 14, running: true, thresholds: t)
                == .init(level: .yellow, reminder: nil, nextChangeIn: 15))
        #expect(
            SupervisionCheck.evaluate(promisedLeft: -16, legalLeft: -1, running: true, thresholds: t)
                == .init(level: .red, reminder: nil, nextChangeIn: nil))
        #expect(SupervisionCheck.evaluate(promisedLeft: 40, legalLeft: 40, running: false, thresholds: t).nextChangeIn == nil)
        // Walking the days one by one meets every threshold exactly on its day.
        var left = 10
        var seen: [WarningLevel] = []
        while left > -30 {
            let c = SupervisionCheck.evaluate(promisedLeft: left, legalLeft: left + 5, running: true, thresholds: t)
            if seen.last != c.level { seen.append(c.level) }
            guard let n = c.nextChangeIn else { break }
            left -= n
        }
        #expect(seen == [.normal, .reminder, .yellow, .red])
        #expect(left == -6)
    }

    @Test("a co-department's task: reminders before its deadline, yellow once passed, never red")
    func task() {
        #expect(SupervisionCheck.task(left: 5, thresholds: t) == .init(level: .normal, reminder: nil, nextChangeIn: 2))
        #expect(SupervisionCheck.task(left: 1, thresholds: t) == .init(level: .reminder, reminder: 1, nextChangeIn: 2))
        #expect(SupervisionCheck.task(left: -1, thresholds: t) == .init(level: .yellow, reminder: nil, nextChangeIn: nil))
        // Walking the days: every threshold on its day, then nothing more.
        var left = 8
        var seen: [WarningLevel] = []
        var reminders: [Int] = []
        while true {
            let c = SupervisionCheck.task(left: left, thresholds: t)
            if seen.last != c.level { seen.append(c.level) }
            if let r = c.reminder { reminders.append(r) }
            guard let n = c.nextChangeIn else { break }
            left -= n
        }
        #expect(seen == [.normal, .reminder, .yellow] && reminders == [3, 1] && left == -1)
    }
}

@Suite("Chief representatives' authorisations")
struct AuthorisationTests {
    @Test("each decisive move needs the authorisation of its case type; other moves need none")
    func covers() {
        let onlyOnSpot = ChiefAuthorisations(approveOnSpot: true, reviewUpward: false, supervise: false, coordinate: false)
        #expect(onlyOnSpot.covers(.approve, caseType: .immediate) == true)
        #expect(onlyOnSpot.covers(.approve, caseType: .promised) == false)
        #expect(onlyOnSpot.covers(.forward, caseType: .reported) == false)
        #expect(onlyOnSpot.covers(.extend, caseType: .promised) == false)
        #expect(onlyOnSpot.covers(.accept, caseType: .promised) == nil)
        #expect(ChiefAuthorisations.full.covers(.disapprove, caseType: .joint) == true)
        #expect(ChiefAuthorisations.key(for: .extend, caseType: .promised) == "authorisation.supervise")
        #expect(ChiefAuthorisations.key(for: .approve, caseType: .immediate) == "authorisation.approveOnSpot")
        #expect(ChiefAuthorisations.key(for: .forward, caseType: .reported) == "authorisation.reviewUpward")
    }
}

@Suite("Case fees")
struct CaseFeeTests {
    @Test("amounts as typed, in cents; anything else refused")
    func typed() {
        #expect(CaseFees.cents("12") == 1200 && CaseFees.cents("12.5") == 1250 && CaseFees.cents(" 0.05 ") == 5)
        for bad in ["", "-1", "1.234", "1e3", "１２", "12元", "1000000.01", ".5", "99999999999999999999"] {
            #expect(CaseFees.cents(bad) == nil, "\(bad)")
        }
        #expect(CaseFees.cents("1000000") == CaseFees.maximumCents && CaseFees.yuan(1250) == "12.50")
    }

    @Test("a charge is checked against the published standard: free means nothing, amounts per piece")
    func standard() {
        #expect(CaseFees.amounts(in: "每件 10 元；工本费5元/本，加急 12.5 元") == [1000, 500, 1250])
        #expect(CaseFees.outside(charged: 0, free: true, standard: nil) == false)
        #expect(CaseFees.outside(charged: 100, free: true, standard: nil) == true)
        #expect(CaseFees.outside(charged: 3000, free: false, standard: "每件 10 元") == false)
        #expect(CaseFees.outside(charged: 1500, free: false, standard: "每件 10 元") == true)
        #expect(CaseFees.outside(charged: 1500, free: false, standard: "每件 10 元，工本费 5 元") == false)
        #expect(CaseFees.outside(charged: 1500, free: false, standard: "按国家规定标准收取") == nil)
    }
}

@Suite("Electronic licence")
struct ElectronicLicenceCoreTests {
    @Test("materials a held licence stands in for, by the start of their name")
    func exempt() {
        let held = [ElectronicLicence.Held(kind: "营业执照", number: "N1"), ElectronicLicence.Held(kind: "食品经营许可证", number: "N2")]
        let out = ElectronicLicence.exempt(materials: ["申请书", "营业执照（副本）", "食品经营许可证正本", "经营许可证"], held: held)
        #expect(out.keys.sorted() == [2, 3] && out[2]?.number == "N1" && out[3]?.number == "N2")
        #expect(ElectronicLicence.exempt(materials: ["营业执照"], held: []).isEmpty)
    }

    @Test("the printed code is the token's first 8 characters in two groups")
    func code() {
        #expect(ElectronicLicence.code(token: "3f9ac21bxxxx") == "3F9A-C21B")
    }

    @Test("the PDF: one page, its cross-reference offsets pointing at its objects, the text in UCS-2, the same bytes each time")
    func pdf() throws {
        let sheet = ElectronicLicence.Sheet(
            title: "营业执照", rows: [("证照编号", "N1"), ("持证人", "张三")], authority: "石桥县市场监督管理局", issuedOn: "2026年9月21日",
            verifyURL: "https://zwfw.example.gov.cn/verify/abc", code: "ABCD-EF12")
        let bytes = ElectronicLicence.pdf(sheet)
        #expect(bytes == ElectronicLicence.pdf(sheet))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix("%PDF-1.4") && text.hasSuffix("%%EOF\n") && text.contains("/Count 1"))
        #expect(text.contains("<" + ElectronicLicence.ucs2("营业执照") + ">") && ElectronicLicence.ucs2("A张") == "00415F20")
        // Every xref entry points at "n 0 obj".
        let xrefAt = try #require(text.range(of: "startxref\n")).upperBound
        let xref = Int(text[xrefAt...].prefix { $0.isNumber })!
        let table = String(decoding: bytes[xref...], as: UTF8.self).split(separator: "\n").dropFirst(3).prefix(7)
        for (i, line) in table.enumerated() {
            let offset = Int(line.prefix(10))!
            #expect(String(decoding: bytes[offset..<offset + 8], as: UTF8.self).hasPrefix("\(i + 1) 0 obj"))
        }
    }
}

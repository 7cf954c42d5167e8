import Testing

@testable import OneStopCore

@Suite("好差评 rules: tags, the bad-rating flow, fraud signals, the disclosure's arithmetic")
struct RatingRulesTests {
    @Test("a bad rating needs a reason and takes reasons only; a good one takes praise only")
    func tags() {
        func codes(_ level: Int, _ tags: [String]) -> [String] {
            if case .failure(let f) = RatingInput(level: level, tags: tags, text: "").checkedWithPraise() { return f.errors.map(\.code) }
            return []
        }
        #expect(codes(2, []) == ["rating.tagsRequired"])
        #expect(codes(1, ["attitude", "attitude", "slow"]).isEmpty)
        #expect(codes(2, ["warm"]) == ["rating.praiseOnBad"])
        #expect(codes(5, ["attitude"]) == ["rating.reasonOnGood"])
        #expect(codes(5, ["nonsense"]) == ["invalidChoice"])
        #expect(codes(3, []).isEmpty)
        if case .success(let v) = RatingInput(level: 5, tags: ["warm", "one_trip", "warm"], text: " 很好 ").checkedWithPraise() {
            #expect(v.praise == [.warm, .oneTrip] && v.reasons.isEmpty && v.text == "很好")
        } else {
            Issue.record("a good rating with praise is valid")
        }
    }

    @Test("the deadline is 15 working days on the calendar: the National Day week does not count")
    func deadline() {
        let cal = WorkCalendar(NationalCalendar.year2026)
        // Assigned on Tue 2026-09-29: 9-30 is the 1st working day, 10-01…10-07 the holiday, 10-10 (Sat)
        // a make-up day (the 4th), and the 15th falls on Mon 10-26.
        let due = BadRatingCase.due(assignedOn: CivilDate("2026-09-29")!, limit: BadRatingCase.defaultLimit, calendar: cal)
        #expect(due == CivilDate("2026-10-26"), "\(String(describing: due))")
        #expect(BadRatingCase.due(assignedOn: CivilDate("2026-11-02")!, limit: 5, calendar: cal) == CivilDate("2026-11-09"))
    }

    @Test("the flow: call back first when real-name, then resolve, then one second rating; appeals")
    func flow() {
        let d = CivilDate("2026-11-02")!
        var c = BadRatingCase(realName: true, assignedOn: d, dueOn: CivilDate("2026-11-23")!)
        #expect(c.status == .callBackDue)
        #expect(c.refusal(.resolve) == "badRating.callBackFirst")
        #expect(c.refusal(.rateAgain) == "badRating.notResolved")
        #expect(c.refusal(.decideAppeal) == "badRating.noAppeal")
        c.calledBackOn = d
        #expect(c.refusal(.callBack) == "badRating.calledBackAlready")
        #expect(c.status == .resolutionDue && c.refusal(.resolve) == nil)
        #expect(!c.isOverdue(on: CivilDate("2026-11-23")!) && c.isOverdue(on: CivilDate("2026-11-24")!))
        c.resolution = .rectified
        c.resolvedOn = CivilDate("2026-11-23")
        #expect(c.status == .resolved && c.resolvedOnTime && !c.isOverdue(on: CivilDate("2026-12-01")!))
        #expect(c.refusal(.resolve) == "badRating.resolvedAlready")
        #expect(c.refusal(.rateAgain) == nil)
        c.ratedAgain = true
        #expect(c.refusal(.rateAgain) == "badRating.ratedAgainAlready")

        var anon = BadRatingCase(realName: false, assignedOn: d, dueOn: CivilDate("2026-11-09")!)
        #expect(anon.status == .resolutionDue && anon.refusal(.callBack) == "badRating.anonymous" && anon.refusal(.resolve) == nil)
        anon.appeal = .pending
        #expect(anon.status == .appealPending && anon.refusal(.appeal) == "badRating.appealedAlready")
        #expect(anon.isOverdue(on: CivilDate("2026-11-10")!), "an appeal does not stop the clock")
        anon.appeal = .upheld
        #expect(anon.status == .excluded && !anon.isOverdue(on: CivilDate("2026-12-01")!))
        #expect(anon.refusal(.resolve) == "badRating.excluded")
        anon.appeal = .rejected
        anon.resolution = .explained
        anon.resolvedOn = CivilDate("2026-11-10")
        #expect(anon.status == .resolved && !anon.resolvedOnTime, "explained a day late")
    }

    @Test("supervision: warned within 3 working days of the day, carded after it, each once; nothing once resolved or excluded")
    func watch() {
        let cal = WorkCalendar(NationalCalendar.year2026)
        // Due Mon 2026-11-23: Wed 11-18 is 3 working days before it, Tue 11-17 four.
        var c = BadRatingCase(realName: false, assignedOn: CivilDate("2026-11-02")!, dueOn: CivilDate("2026-11-23")!)
        func w(_ day: String, warned: Bool = false, carded: Bool = false) -> BadRatingCase.Watch {
            c.watch(today: CivilDate(day)!, calendar: cal, warnDays: BadRatingCase.warnDays, warned: warned, carded: carded)
        }
        #expect(w("2026-11-17") == .none)
        #expect(w("2026-11-18") == .warn(daysLeft: 3))
        #expect(w("2026-11-21") == .warn(daysLeft: 1), "a Saturday: Monday is one working day on")
        #expect(w("2026-11-20", warned: true) == .none)
        #expect(w("2026-11-23") == .warn(daysLeft: 0))
        #expect(w("2026-11-24", warned: true) == .card)
        #expect(w("2026-11-24") == .card, "a card even when the warning was missed")
        #expect(w("2026-11-30", warned: true, carded: true) == .none)
        c.appeal = .pending
        #expect(w("2026-11-24") == .card, "an appeal pending does not stop the clock")
        c.appeal = .upheld
        #expect(w("2026-11-24") == .none)
        c.appeal = nil
        c.resolution = .explained
        #expect(w("2026-11-24") == .none)
    }

    @Test("fraud: bursts from one source, answers too fast, one identity on many cases of a window; refusals")
    func fraud() {
        let base: Int64 = 1_790_000_000_000
        let earlier = (0..<4).map { RatingFraud.Fact(at: base + Int64($0) * 10_000, source: "dev1", day: "2026-11-02") }
        let fifth = RatingFraud.Fact(at: base + 45_000, source: "dev1", askedAt: base + 44_000, day: "2026-11-02")
        #expect(RatingFraud.signals(fifth, recent: earlier) == [.burst, .tooFast])
        #expect(RatingFraud.flags(fifth, recent: earlier) == [.init(.burst, measured: 5), .init(.tooFast, measured: 1000)])
        let later = RatingFraud.Fact(at: base + 200_000, source: "dev1", askedAt: base + 190_000, day: "2026-11-02")
        #expect(RatingFraud.signals(later, recent: earlier).isEmpty, "outside the minute, read at a person's pace")
        #expect(
            RatingFraud.signals(
                fifth,
                recent: earlier.map {
                    var f = $0; f.source = "dev2"; return f
                }) == [.tooFast])
        let mine = ["c1", "c2"].map {
            RatingFraud.Fact(at: base, source: "", identity: "id1", windowID: "w1", caseID: $0, day: "2026-11-02")
        }
        let third = RatingFraud.Fact(at: base + 1, source: "", identity: "id1", windowID: "w1", caseID: "c3", day: "2026-11-02")
        #expect(RatingFraud.signals(third, recent: mine) == [.sameWindowMany])
        var otherDay = third
        otherDay.day = "2026-11-03"
        #expect(RatingFraud.signals(otherDay, recent: mine).isEmpty)
        var sameCase = third
        sameCase.caseID = "c2"
        #expect(RatingFraud.signals(sameCase, recent: mine).isEmpty, "two cases, not three")

        #expect(RatingFraud.refusal(raterStaffID: "s1", servedBy: "s1", handlers: [], alreadyRatedThisRound: false) == "rating.ownService")
        #expect(
            RatingFraud.refusal(raterStaffID: "s1", servedBy: "s2", handlers: ["s1"], alreadyRatedThisRound: false) == "rating.ownService")
        #expect(RatingFraud.refusal(raterStaffID: nil, servedBy: "s2", handlers: [], alreadyRatedThisRound: true) == "rating.alreadyRated")
        #expect(RatingFraud.refusal(raterStaffID: "s3", servedBy: "s2", handlers: ["s1"], alreadyRatedThisRound: false) == nil)
        #expect(
            RatingFraud.refusal(raterStaffID: "s3", servedBy: "s2", handlers: [], alreadyRatedThisRound: false, callerIsOperator: true)
                == "rating.ownBehalf")
    }

    @Test("the disclosure's arithmetic: first rounds only, appeals excluded, not-rated apart, days add up")
    func tally() {
        var day1 = RatingTally()
        for l in [5, 5, 4, 3] { day1.add(.init(level: l, channel: "window_device")) }
        day1.add(.init(level: 1, channel: "qr_code", reasons: ["attitude", "slow"], realName: true, calledBack: true))
        day1.add(.init(level: 2, channel: "web", reasons: ["attitude"], realName: true))
        day1.add(.init(level: nil, channel: "window_device"))
        day1.add(.init(level: 1, channel: "web", reasons: ["extra_materials"], excluded: true))
        day1.add(.init(level: 5, channel: "sms", round: 2))
        #expect(day1.rated == 6 && day1.notRated == 1 && day1.excluded == 1 && day1.secondRound == 1 && day1.secondRoundSatisfied == 1)
        #expect(day1.satisfaction == 4.0 / 6.0)
        #expect(day1.average == Double(5 + 5 + 4 + 3 + 1 + 2) / 6.0)
        #expect(day1.callBackRate == 0.5)
        #expect(day1.topReasons().map(\.tag) == ["attitude", "slow"])
        #expect(day1.channels["window_device"] == 5 && day1.channels["sms"] == nil)
        var day2 = RatingTally()
        day2.add(.init(level: 4, channel: "kiosk"))
        day2.addDue(onTime: true)
        day2.addDue(onTime: false)
        let month = day1 + day2
        #expect(month.rated == 7 && month.satisfaction == 5.0 / 7.0 && month.onTimeRate == 0.5 && month.channels["kiosk"] == 1)
        #expect(RatingTally().satisfaction == nil && RatingTally().onTimeRate == nil && RatingTally().callBackRate == nil)
        // A rating taken out again (its appeal upheld later) leaves the tally as if never counted.
        var undo = day1
        undo.add(.init(level: 2, channel: "web", reasons: ["attitude"], realName: true), sign: -1)
        undo.add(.init(level: 2, channel: "web", reasons: ["attitude"], realName: true, excluded: true))
        #expect(undo.rated == 5 && undo.excluded == 2 && undo.reasons["attitude"] == 1 && undo.callBackRate == 1)
    }
}

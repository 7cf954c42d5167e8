import Foundation
import Testing

@testable import OneStopCore

@Suite("Evaluation: periods, indicators, scoring rules, the star scale")
struct EvaluationTests {
    func d(_ s: String) -> CivilDate { CivilDate(s)! }

    @Test("periods of every kind, the one before, across month and year ends, and their keys")
    func periods() {
        let month = EvaluationPeriod(.month, containing: d("2026-12-05"))
        #expect(month.first == d("2026-12-01") && month.last == d("2026-12-31") && month.days == 31)
        #expect(month.previous.first == d("2026-11-01") && month.previous.last == d("2026-11-30"))
        #expect(month.next.first == d("2027-01-01") && month.label == "2026年12月" && month.description == "month:2026-12")
        let q1 = EvaluationPeriod(.quarter, containing: d("2026-01-15"))
        #expect(q1.first == d("2026-01-01") && q1.last == d("2026-03-31") && q1.label == "2026年第1季度")
        #expect(q1.previous.first == d("2025-10-01") && q1.previous.last == d("2025-12-31") && q1.previous.description == "quarter:2025-Q4")
        let h2 = EvaluationPeriod(.halfYear, containing: d("2026-07-01"))
        #expect(h2.first == d("2026-07-01") && h2.last == d("2026-12-31") && h2.label == "2026年下半年")
        #expect(h2.previous.first == d("2026-01-01") && h2.previous.last == d("2026-06-30"))
        let week = EvaluationPeriod(.week, containing: d("2026-12-05"))
        #expect(week.first == d("2026-11-30") && week.last == d("2026-12-06"))
        #expect(week.previous.first == d("2026-11-23") && week.previous.last == d("2026-11-29"))
        let newYear = EvaluationPeriod(.week, containing: d("2027-01-01"))
        #expect(newYear.first == d("2026-12-28") && newYear.last == d("2027-01-03"))
        #expect(EvaluationPeriod(.month, containing: d("2028-02-10")).last == d("2028-02-29"))
        #expect(EvaluationPeriod(.year, containing: d("2026-06-01")).previous.description == "year:2025")
        #expect(EvaluationPeriod(.day, containing: d("2027-01-01")).previous.first == d("2026-12-31"))
        let range = EvaluationPeriod(from: d("2026-11-01"), to: d("2026-11-15"))!
        #expect(range.previous.first == d("2026-10-17") && range.previous.last == d("2026-10-31"))
        #expect(EvaluationPeriod(from: d("2026-11-15"), to: d("2026-11-01")) == nil)
        for p in [
            month, q1, h2, week, newYear, range, EvaluationPeriod(.year, containing: d("2026-06-01")),
            EvaluationPeriod(.day, containing: d("2026-02-28")),
        ] {
            #expect(EvaluationPeriod(key: p.description) == p, "\(p)")
        }
        for bad in [
            "month:2026-13", "quarter:2026-Q5", "half_year:2026-H3", "range:2026-11-15..2026-11-01", "week:x", "decade:2020", "month",
        ] {
            #expect(EvaluationPeriod(key: bad) == nil, "\(bad)")
        }
    }

    @Test("every indicator from its counters: rates, the mean speed-up, counts; no denominator is no figure, not 0")
    func indicators() {
        var c = IndicatorCounts([.timedClosed: 40, .timedClosedOnTime: 38, .accepted: 400, .validComplaints: 2, .anomalies: 3])
        #expect(Indicator.onTime.figure(c).value == 0.95 && Indicator.onTime.figure(c).text == "95.0%")
        #expect(Indicator.complaintRate.figure(c).text == "0.5%" && Indicator.validComplaints.figure(c).text == "2")
        #expect(Indicator.anomalies.figure(c).value == 3 && Indicator.anomalies.figure(c).denominator == nil)
        #expect(Indicator.satisfaction.figure(c).value == nil && Indicator.satisfaction.figure(c).text == "—")
        // Two items: legal 20 days promised 5 (75%), legal 10 promised 10 (0%): the mean is 37.5%.
        c[.itemsWithLimits] = 2
        c[.speedUpBasisPoints] = 7_500
        #expect(Indicator.speedUp.figure(c).value == 0.375 && Indicator.speedUp.figure(c).text == "37.5%")
        c += [.onlineDecided: 50, .onlineAcceptedFirstTime: 45]
        #expect(Indicator.firstTimeSuccess.figure(c).value == 0.9)
        // A lower complaint rate is better; an equal one is no change.
        let before = IndicatorCounts([.accepted: 400, .validComplaints: 4])
        #expect(Indicator.complaintRate.figure(c).improved(from: Indicator.complaintRate.figure(before)) == true)
        #expect(Indicator.onTime.figure(c).improved(from: Indicator.onTime.figure(c)) == nil)
        #expect(Indicator.satisfaction.figure(c).change(from: Indicator.satisfaction.figure(before)) == nil)
        // Days and scopes add up.
        let sum = IndicatorCounts([.ratings: 3, .ratingsGood: 2]) + IndicatorCounts([.ratings: 1, .ratingsGood: 1])
        #expect(Indicator.satisfaction.figure(sum).value == 0.75 && sum[.anomalies] == 0)
        #expect(
            IndicatorFigure.percent(0.0004) == "0.0%" && IndicatorFigure.percent(-0.025) == "-2.5%"
                && IndicatorFigure.percent(1) == "100.0%")
        // Every indicator has its terms and a group; each rate names a denominator.
        for i in Indicator.allCases {
            #expect((i.unit == .count) == (i.terms.denominator == nil), "\(i)")
        }
    }

    @Test("scoring rules: linear either way, thresholds, zero = full marks less a deduction, floors; no data is not 0 points")
    func scoring() {
        let linear = ScoringRule.linear(zeroAt: 0.95, fullAt: 1)
        #expect(linear.score(0.98, points: 15) == 9 && linear.score(0.94, points: 15) == 0 && linear.score(1, points: 15) == 15)
        #expect(linear.score(nil, points: 15) == nil && ScoringRule.byHand.score(1, points: 5) == nil)
        #expect(ScoringRule.linear(zeroAt: 0.05, fullAt: 0).score(0.01, points: 10) == 8)
        let steps = ScoringRule.thresholds([
            .init(atLeast: 0.9, points: 5), .init(atLeast: 0.99, points: 10), .init(atLeast: 0.95, points: 8),
        ])
        #expect(steps.score(0.96, points: 10) == 8 && steps.score(0.5, points: 10) == 0 && steps.score(0.99, points: 10) == 10)
        let complaints = ScoringRule.zeroIsFull(deduct: 2)
        #expect(complaints.score(0, points: 10) == 10 && complaints.score(3, points: 10) == 4 && complaints.score(7, points: 10) == 0)
        #expect(ScoringRule.perCount(deduct: 1, floor: 2).score(10, points: 5) == 2)
        #expect(
            linear.problems(points: 15).isEmpty
                && ScoringRule.linear(zeroAt: 1, fullAt: 1).problems(points: 5) == ["assessment.linearRange"])
        #expect(ScoringRule.thresholds([.init(atLeast: 0.9, points: 12)]).problems(points: 10) == ["assessment.steps"])
        #expect(ScoringRule.perCount(deduct: 0, floor: 0).problems(points: 10) == ["assessment.deduction"])
        #expect(complaints.text == "无则满分，每 1 项扣 2 分，扣完为止")
        // The township template adds up to 85; one criterion without data is unscored.
        let template: [Double] = [5, 10, 10, 10, 10, 15, 10, 5, 10]
        let scores: [(points: Double?, outOf: Double)] = template.enumerated().map { i, p in
            (i == 5 ? 9 : i == 8 ? nil : p, p)
        }
        let total = AssessmentTotal(scores: scores)
        #expect(total.outOf == 85 && total.points == 69 && total.unscored == 1 && total.share == 69.0 / 85)
        #expect(AssessmentReview.adjusted(total, by: 3, bound: 5) == 72 && AssessmentReview.adjusted(total, by: 6, bound: 5) == nil)
        #expect(AssessmentReview.adjusted(AssessmentTotal(scores: [(84, 85)]), by: 3, bound: 5) == nil)
    }

    @Test("the star scale: half public, half leaders, the tens digit; 好差评 inside the public score; a center's own bands")
    func stars() {
        let s = StarScale.standard
        #expect(s.combined(publicScore: 88, leaderScore: 92) == 90 && s.stars(90) == 9)
        #expect(s.stars(100) == 10 && s.stars(99.99) == 9 && s.stars(0) == 0 && s.stars(9.99) == 0)
        #expect(s.combined(publicScore: 88, leaderScore: nil) == nil)
        #expect(s.publicScore(survey: 80, satisfaction: 0.95) == 80)
        let mixed = StarScale(ratingWeight: 0.2)
        #expect(mixed.publicScore(survey: 80, satisfaction: 0.95) == 83 && mixed.publicScore(survey: nil, satisfaction: 1) == nil)
        let own = StarScale(publicWeight: 0.6, leaderWeight: 0.4, bands: [50, 55, 60, 65, 70, 75, 80, 85, 90, 95])
        #expect(own.combined(publicScore: 70, leaderScore: 80) == 74 && own.stars(74) == 5 && own.stars(49) == 0 && own.stars(95) == 10)
        #expect(own.problems.isEmpty && StarScale(bands: [10, 20]).problems == ["star.bands"])
        #expect(
            StarScale(publicWeight: 0, leaderWeight: 0).problems == ["star.weights"]
                && StarScale(ratingWeight: 2).problems == ["star.ratingWeight"])
    }

    @Test(
        "how records become counters: a complaint's call-back, a day's 好差评, an item's speed-up, stored counters and the periods that make up a range"
    )
    func rules() {
        #expect(
            IndicatorRules.callBack(outcome: "satisfied,solved") == true && IndicatorRules.callBack(outcome: "basically,solved") == true)
        #expect(IndicatorRules.callBack(outcome: "dissatisfied,unsolved") == false)
        #expect(IndicatorRules.callBack(outcome: "not_reached") == nil && IndicatorRules.callBack(outcome: "merged") == nil)
        #expect(IndicatorRules.callBack(outcome: "") == nil)
        var t = RatingTally()
        t.levels = [4, 1, 2, 3, 0, 10]  // 4 not rated, 16 rated, 13 of them 3 or better
        t.due = 3
        t.dueOnTime = 2
        let c = IndicatorRules.ratingCounts(t)
        #expect(c[.ratings] == 16 && c[.ratingsGood] == 13 && c[.badRatingsDue] == 3 && c[.badRatingsRectifiedInTime] == 2)
        #expect(
            IndicatorRules.speedUp(legalDays: 20, promisedDays: 5) == 7_500
                && IndicatorRules.speedUp(legalDays: 3, promisedDays: 1) == 6_667)
        #expect(
            IndicatorRules.speedUp(legalDays: 0, promisedDays: 0) == nil && IndicatorRules.speedUp(legalDays: 20, promisedDays: 0) == nil)
        let stored = IndicatorRules.encode([.accepted: 12, .timedClosed: 3, .anomalies: 0])
        #expect(stored == "{\"accepted\":12,\"timed_closed\":3}")
        #expect(IndicatorRules.decode(stored) == [.accepted: 12, .timedClosed: 3])
        #expect(IndicatorRules.decode("{\"retired\":4,\"accepted\":1}") == [.accepted: 1] && IndicatorRules.decode("nonsense").isEmpty)
        // 2026-11-25 … 2027-02-03: the days of November's end, December and January whole, February's first days.
        let keys = IndicatorRules.periodKeys(EvaluationPeriod(from: CivilDate("2026-11-25")!, to: CivilDate("2027-02-03")!)!)
        #expect(keys == (25...30).map { "2026-11-\($0)" } + ["2026-12", "2027-01"] + (1...3).map { "2027-02-0\($0)" })
        #expect(
            IndicatorRules.periodKeys(EvaluationPeriod(.quarter, containing: CivilDate("2026-05-05")!)) == [
                "2026-04", "2026-05", "2026-06",
            ])
        #expect(IndicatorRules.periodKeys(EvaluationPeriod(.day, containing: CivilDate("2026-05-05")!)) == ["2026-05-05"])
    }

    @Test(
        "assessments: the township template's 85 points, a template's faults, the steps' order, totals with the review's adjustment, ranks and their tie rule"
    )
    func assessments() {
        #expect(
            AssessmentTemplates.township.map(\.points).reduce(0, +) == 85 && AssessmentTemplates.township.filter { !$0.byHand }.count == 2)
        #expect(AssessmentTemplates.problems(name: "乡镇考核", criteria: AssessmentTemplates.township).isEmpty)
        let bad: [AssessmentCriterion] = [
            .init(key: "a", name: "", points: 0),
            .init(key: "a", name: "办结率", points: 10, rule: .linear(zeroAt: 0, fullAt: 1)),
            .init(key: "b", name: "投诉", points: 10, indicator: .validComplaints),
        ]
        let faults = AssessmentTemplates.problems(name: " ", criteria: bad).map { "\($0.field) \($0.code)" }
        #expect(
            faults == [
                "name required", "criteria.0.name required", "criteria.0.points assessment.points", "criteria.1.key invalidChoice",
                "criteria.1.rule assessment.ruleNeedsIndicator", "criteria.2.rule assessment.indicatorNeedsRule",
            ], "\(faults)")
        // The computed criterion scores from its figure; a hand one does not.
        let onTime = AssessmentCriterion(key: "c6", name: "办结率", points: 15, indicator: .onTime, rule: .linear(zeroAt: 0, fullAt: 1))
        #expect(onTime.score(Indicator.onTime.figure([.timedClosed: 4, .timedClosedOnTime: 3])) == 11.25)
        #expect(onTime.score(Indicator.onTime.figure([:])) == nil && AssessmentTemplates.township[0].score(nil) == nil)
        // The steps in order; the review waits for every hand score; nothing after the sign-off.
        #expect(AssessmentState.scoring.allows(.score, allScored: false) && !AssessmentState.scoring.allows(.review, allScored: false))
        #expect(AssessmentState.scoring.allows(.review, allScored: true) && !AssessmentState.scoring.allows(.signOff, allScored: true))
        #expect(!AssessmentState.review.allows(.score, allScored: true) && AssessmentState.review.allows(.signOff, allScored: true))
        #expect([.score, .review, .signOff].allSatisfy { !AssessmentState.signed.allows($0, allScored: true) })
        // Totals: the adjustment counts, within 0…full marks; ranks: total, then computed points, shared.
        let criteria = [onTime, AssessmentCriterion(key: "h", name: "现场", points: 10)]
        let lines = [
            AssessmentLine(subject: "w1", name: "1号窗口", scores: ["c6": 15, "h": 5]),
            AssessmentLine(subject: "w2", name: "2号窗口", scores: ["c6": 10, "h": 10]),
            AssessmentLine(subject: "w3", name: "3号窗口", scores: ["c6": 12, "h": 6], adjustment: 2),
            AssessmentLine(subject: "w4", name: "4号窗口", scores: ["c6": nil, "h": 9]),
            AssessmentLine(subject: "w5", name: "5号窗口", scores: ["c6": 15, "h": 5]),
        ]
        #expect(lines[2].total(criteria).points == 20 && lines[3].total(criteria).unscored == 1)
        #expect(AssessmentLine(subject: "x", name: "x", scores: ["c6": 15, "h": 10], adjustment: 5).total(criteria).points == 25)
        let ranked = AssessmentRanking.rank(lines, criteria: criteria)
        #expect(ranked.map(\.line.subject) == ["w1", "w5", "w3", "w2", "w4"], "\(ranked.map(\.line.subject))")
        #expect(ranked.map(\.rank) == [1, 1, 3, 4, 5], "w1 and w5 tie; w3 and w2 have 20 too, with fewer computed points")
    }

    @Test("awards: what each may go to, shown through its period and the next, the red flag to the ranking's first hall or unit")
    func awards() {
        #expect(AwardKind.redFlag.subjects == ["center", "department"] && AwardKind.redFlag.single && !AwardKind.servicePacesetter.single)
        let september = EvaluationPeriod(.month, containing: CivilDate("2026-09-10")!)
        #expect(
            !AwardRules.shown(september, today: CivilDate("2026-08-31")!) && AwardRules.shown(september, today: CivilDate("2026-09-01")!))
        #expect(
            AwardRules.shown(september, today: CivilDate("2026-10-31")!) && !AwardRules.shown(september, today: CivilDate("2026-11-01")!))
        #expect(AwardRules.redFlag(from: [("window:w", 90), ("department:d", 88), ("center:c", 80)]) == "department:d")
        #expect(AwardRules.redFlag(from: [("staff:s", 90)]) == nil)
    }

    @Test("commitments: a half-year, one to ten pledges, targets in range; a pledge met by its measured figure either way")
    func commitments() {
        #expect(CommitmentRules.period("half_year:2026-H2") != nil && CommitmentRules.period("month:2026-09") == nil)
        #expect(CommitmentRules.problems([]).map(\.code) == ["required"])
        let faults = CommitmentRules.problems([
            Pledge(text: " "), Pledge(text: "x", target: 0.9), Pledge(text: "y", indicator: .onTime, target: 98),
            Pledge(text: "z", indicator: .validComplaints, target: -1),
        ]).map { "\($0.field) \($0.code)" }
        #expect(
            faults == [
                "pledges.0.text required", "pledges.1.indicator required", "pledges.2.target commitment.target",
                "pledges.3.target commitment.target",
            ],
            "\(faults)")
        let onTime = Pledge(text: "按时办结率不低于 98%", indicator: .onTime, target: 0.98)
        #expect(onTime.met(Indicator.onTime.figure([.timedClosed: 100, .timedClosedOnTime: 98])) == true)
        #expect(onTime.met(Indicator.onTime.figure([.timedClosed: 2, .timedClosedOnTime: 1])) == false)
        #expect(onTime.met(Indicator.onTime.figure([:])) == nil)
        let complaints = Pledge(text: "有效投诉不超过 1 件", indicator: .validComplaints, target: 1)
        #expect(complaints.met(Indicator.validComplaints.figure([.validComplaints: 1])) == true)
        #expect(complaints.met(Indicator.validComplaints.figure([.validComplaints: 2])) == false)
    }

    @Test("双评: answers in points, the survey's mean, a leader review's faults, the breakdown and its stars")
    func starRules() {
        #expect((1...5).map(StarRules.points) == [0, 25, 50, 75, 100])
        #expect(StarRules.score(levels: [5, 4]) == 87.5 && StarRules.score(levels: []) == nil)
        #expect(StarRules.voteProblems([5, 4], criteria: 2).isEmpty)
        #expect(StarRules.voteProblems([5], criteria: 2).map(\.code) == ["star.everyCriterion"])
        #expect(StarRules.voteProblems([0, 6], criteria: 2).map(\.field) == ["levels.0", "levels.1"])
        #expect(StarRules.criteriaProblems(["服务态度", "服务态度"]) == ["star.criteriaRepeated"])
        #expect(StarRules.criteriaProblems([]) == ["required"])
        #expect(StarRules.criteriaProblems(StarRules.defaultCriteria).isEmpty)

        var tally = StarRules.VoteTally()
        #expect(tally.survey == nil)
        for levels in [[5, 4], [3, 5], [5, 5]] { tally.add(levels: levels) }
        // (100 + 75 + 50 + 100 + 100 + 100) / 6; per criterion 250/3 and 275/3.
        #expect(tally.votes == 3 && tally.survey == 87.5 && tally.criterionMeans == [83.33, 91.67])

        let head = StarRules.Review(level: .department, reviewer: "科长", scores: [80, 90], comments: ["热情", "高效"], summary: "好")
        let center = StarRules.Review(level: .center, reviewer: "主任", scores: [70, 80], comments: ["尚可", "较快"], summary: "满意")
        #expect(head.score == 85 && head.problems(criteria: 2).isEmpty)
        let bad = StarRules.Review(level: .center, reviewer: "x", scores: [101, -1], comments: ["", "ok"], summary: " ")
        #expect(Set(bad.problems(criteria: 2).map(\.field)) == ["scores.0", "scores.1", "comments.0", "overall"])
        #expect(bad.problems(criteria: 3).first?.code == "star.everyCriterion")

        let b = StarRules.breakdown(tally: tally, satisfaction: 0.5, reviews: [center, head], scale: .standard)
        #expect(b.leaderScore == 80 && b.publicScore == 87.5 && b.combined == 83.75 && b.stars == 8)
        #expect(b.comment == "满意" && b.satisfaction == nil, "the center's summary; satisfaction unused at weight 0")
        // With 好差评 counting 20% inside the public evaluation: 0.8 × 87.5 + 0.2 × 50 = 80, combined 80 → 8 stars.
        let mixed = StarRules.breakdown(tally: tally, satisfaction: 0.5, reviews: [head, center], scale: StarScale(ratingWeight: 0.2))
        #expect(mixed.publicScore == 80 && mixed.combined == 80 && mixed.stars == 8 && mixed.satisfaction == 0.5)
        // No review, or no vote: no stars.
        #expect(StarRules.breakdown(tally: tally, satisfaction: nil, reviews: [], scale: .standard).stars == nil)
        #expect(StarRules.breakdown(tally: .init(), satisfaction: 1, reviews: [head], scale: .standard).stars == nil)
        // A full score is ten stars; the department's summary stands when the center has not reviewed.
        var top = StarRules.VoteTally()
        top.add(levels: [5, 5])
        let full = StarRules.Review(level: .department, reviewer: "科长", scores: [100, 100], comments: ["a", "b"], summary: "优秀")
        let ten = StarRules.breakdown(tally: top, satisfaction: nil, reviews: [full], scale: .standard)
        #expect(ten.stars == 10 && ten.comment == "优秀")

        // Outside evaluators: kept apart from the leaders; counted only by their weight.
        let o1 = StarRules.Review(level: .outside, reviewer: "李监督", scores: [90, 90], comments: ["a", "b"], summary: "c")
        let o2 = StarRules.Review(level: .outside, reviewer: "王评议", scores: [70, 70], comments: ["a", "b"], summary: "c")
        let shown = StarRules.breakdown(tally: tally, satisfaction: nil, reviews: [center, o1, head, o2], scale: .standard)
        #expect(shown.leaderScore == 80 && shown.reviews.count == 2 && shown.outsideScore == 80 && shown.outsideReviews?.count == 2)
        #expect(shown.combined == 83.75, "weight 0: shown, not counted")
        let weighed = StarScale(publicWeight: 0.4, leaderWeight: 0.4, outsideWeight: 0.2)
        // 0.4 × 87.5 + 0.4 × 80 + 0.2 × 80 = 83.
        #expect(StarRules.breakdown(tally: tally, satisfaction: nil, reviews: [center, o1, head, o2], scale: weighed).combined == 83)
        #expect(StarRules.breakdown(tally: tally, satisfaction: nil, reviews: [center, head], scale: weighed).stars == nil)
        #expect(StarScale(outsideWeight: -0.1).problems == ["star.weights"])
        // A scale stored before outside evaluators counted reads as weight 0.
        let old = try? JSONDecoder().decode(StarScale.self, from: Data(#"{"publicWeight":0.5,"leaderWeight":0.5,"ratingWeight":0}"#.utf8))
        #expect(old == .standard)
    }

    @Test("外部评议得分率: outside scores in basis points over the scorecards; no card, no figure")
    func outsideEvaluationIndicator() {
        let i = Indicator.outsideEvaluation
        #expect(i.terms.numerator == .outsideScoreBasisPoints && i.terms.denominator == .outsideScored)
        let f = i.figure([.outsideScoreBasisPoints: 9_000 + 7_050, .outsideScored: 2])
        #expect(f.value == 0.8025 && f.text == "80.3%" && i.recordCount(f) == 2 && i.recordKind == .outsideScores)
        #expect(i.figure([:]).value == nil && i.figure([:]).text == "—")
        // Every kind of records is counted by one figure, which gives a drill-down its total.
        for kind in IndicatorRecordKind.allCases { #expect(kind.indicator.recordKind == kind) }
        // On 0…1, as a linear criterion of 10 points reads it.
        #expect(
            AssessmentCriterion(key: "c1", name: "外部评议", points: 10, indicator: i, rule: .linear(zeroAt: 0, fullAt: 1)).score(f) == 8.03)
    }

    @Test("第三方评估: a header skipped, names and keys resolved, every bad line reported, nothing when one is bad")
    func thirdPartyScores() {
        let subjects = ["县公安局": "department:a", "department:a": "department:a", "县市场监督管理局": "department:b"]
        let ok = ThirdPartyScores.parse("单位,得分,说明\n县公安局,18.456,暗访\n\n\"县市场监督管理局\",20\n", subjects: subjects, maxPoints: 20)
        #expect(
            (try? ok.get()) == [
                .init(subject: "department:a", points: 18.46, note: "暗访"), .init(subject: "department:b", points: 20, note: ""),
            ])
        let bad = ThirdPartyScores.parse("县公安局,21\n县税务局,3\ndepartment:a,2\n县市场监督管理局\n", subjects: subjects, maxPoints: 20)
        guard case .failure(let failure) = bad else {
            Issue.record("bad lines accepted")
            return
        }
        let problems = failure.problems
        #expect(problems.map(\.code) == ["assessment.import.points", "assessment.import.subject", "assessment.import.columns"])
        #expect(problems.map(\.line) == [1, 2, 4])
        // The same unit twice, once by name and once by key.
        guard case .failure(let twice) = ThirdPartyScores.parse("县公安局,1\ndepartment:a,2", subjects: subjects, maxPoints: 20) else {
            Issue.record("a repeated unit accepted")
            return
        }
        #expect(twice.problems == [.init(line: 2, code: "assessment.import.repeated")])
        guard case .failure(let empty) = ThirdPartyScores.parse("单位,得分\n", subjects: subjects, maxPoints: 20) else {
            Issue.record("an empty file accepted")
            return
        }
        #expect(empty.problems.map(\.code) == ["assessment.import.empty"])
    }
}

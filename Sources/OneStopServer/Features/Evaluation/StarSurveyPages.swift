import Fluent
import Foundation
import OneStopCore
import Vapor

/// The public side of the 十星级 rating: the board, each subject's survey (reached by the QR code
/// at the window) with the one-time code that confirms a voter, and, once confirmed, how a
/// subject's stars were made up.
extension StarRatingPages {
    // MARK: the public pages

    static func located(_ req: Request) async throws -> (StarRatingModel, S.Subject) {
        let r = try await S.find(try req.uuid("id"), on: req.db)
        let key = (req.parameters.get("kind") ?? "") + ":" + (req.parameters.get("target") ?? "")
        guard let subject = try await S.subject(r, key, on: req.db) else { throw Abort(.notFound) }
        return (r, subject)
    }

    struct BoardView: Encodable {
        var open: Bool
        var period: String
        var centerName: String
        var rows: [Row]
    }

    static func board(_ req: Request) async throws -> Response {
        let r = try await S.find(try req.uuid("id"), on: req.db)
        let subjects = try await S.subjects(r, on: req.db)
        let figures = r.state == "confirmed" ? try await S.breakdowns(r, subjects: subjects, req: req) : [:]
        var rows: [Row] = []
        for s in subjects {
            let b = figures[s.key]
            rows.append(
                Row(
                    name: s.name, kind: req.t("star.kind.\(s.kind.rawValue)"), votes: String(b?.votes ?? 0), survey: number(b?.publicScore),
                    reviewed: "", leader: number(b?.leaderScore), outside: number(b?.outsideScore), combined: number(b?.combined),
                    stars: starText(b?.stars),
                    starCount: b?.stars ?? -1, comment: b?.comment ?? "", surveyPath: StarRatingRoutes.surveyPath(r.id!, s.key),
                    reviewHref: ""))
        }
        if r.state == "confirmed" {
            rows.sort { ($0.starCount, Double($0.combined) ?? -1) > ($1.starCount, Double($1.combined) ?? -1) }
        }
        let period = EvaluationPeriod(key: r.period)?.label ?? r.period
        let center = try await CenterModel.find(r.centerID, on: req.db)?.name ?? ""
        return try await req.page(
            "public/star-board", title: req.t("star.boardTitle", ["period": period]),
            BoardView(open: r.state == "open", period: period, centerName: center, rows: rows))
    }

    struct SurveyView: Encodable {
        struct Question: Encodable {
            var name: String
            var label: String
            var options: [FormView.Option]
        }
        var action: String
        var open: Bool
        var name: String
        var kind: String
        var unit: String
        var period: String
        var questions: [Question]
        var signedIn: Bool
        var phone: String
        var comment: String
        var codeSent: String
        var via: String
        var errors: [String]
        // Once confirmed: how the stars were made up.
        var stars: String
        var starsLine: String
        var survey: String
        var leader: String
        var combined: String
        var means: [FormView.Option]
        var reviews: [String]
        var comment2: String
        var profileHref: String
    }

    static func survey(
        _ req: Request, errors: [String], form: [String: String], codeSent: String = "", status: HTTPStatus = .ok
    ) async throws -> Response {
        let (r, subject) = try await located(req)
        let criteria = r.criteriaValue
        let period = EvaluationPeriod(key: r.period)?.label ?? r.period
        var unit = ""
        if subject.kind == .staff, let d = subject.departmentID { unit = try await DepartmentModel.find(d, on: req.db)?.name ?? "" }
        let via = req.query[String.self, at: "via"] == "link" ? "link" : "qr"
        var view = SurveyView(
            action: StarRatingRoutes.surveyPath(r.id!, subject.key), open: r.state == "open", name: subject.name,
            kind: req.t("star.kind.\(subject.kind.rawValue)"), unit: unit, period: period,
            questions: criteria.enumerated().map { i, c in
                .init(
                    name: "level\(i)", label: c,
                    options: (1...5).reversed().map {
                        .init(value: String($0), label: req.t("star.answer.\($0)"), selected: form["level\(i)"] == String($0))
                    })
            }, signedIn: req.principal?.role == .applicant, phone: form["phone"] ?? "", comment: form["comment"] ?? "",
            codeSent: codeSent, via: via, errors: errors, stars: "", starsLine: "", survey: "", leader: "", combined: "", means: [],
            reviews: [], comment2: "", profileHref: subject.kind == .staff ? "/staff/" + subject.key.dropFirst(6) : "")
        if r.state == "confirmed", let b = try await S.breakdowns(r, req: req)[subject.key] {
            view.stars = starText(b.stars)
            view.starsLine =
                b.stars.map { req.t("star.profileLine", ["n": String($0), "period": period, "score": number(b.combined)]) }
                ?? req.t("star.profileUnrated", ["period": period])
            view.survey = req.t("star.surveyLine", ["score": number(b.publicScore), "n": String(b.votes)])
            view.leader = number(b.leaderScore)
            view.combined = number(b.combined)
            view.means = zip(criteria, b.criterionMeans).map { .init(value: ScoringRule.number($1), label: $0, selected: false) }
            view.reviews = b.reviews.map { rv in
                req.t("star.level.\(rv.level.rawValue)") + " " + ScoringRule.number(rv.score) + "：" + rv.summary
            }
            if let o = b.outsideScore {
                view.reviews.append(req.t("star.outsideLine", ["score": number(o), "n": String(b.outsideReviews?.count ?? 0)]))
            }
            view.comment2 = b.comment ?? ""
        }
        let res = try await req.page(
            "public/star-survey", title: req.t("star.surveyTitle", ["name": subject.name]), view, status: status)
        res.headers.replaceOrAdd(name: .cacheControl, value: "no-store")
        return res
    }

    static func answers(_ form: [String: String], count: Int) -> [Int] {
        (0..<count).map { Int(form["level\($0)"] ?? "") ?? 0 }
    }

    static func vote(_ req: Request) async throws -> Response {
        let (r, subject) = try await located(req)
        let form = try req.content.decode([String: String].self)
        do {
            _ = try await S.vote(
                r.id!,
                .init(
                    ratee: subject.key, levels: answers(form, count: r.criteriaValue.count), comment: form["comment"], phone: form["phone"],
                    smsCode: form["smsCode"], via: form["via"]), req: req)
            req.flash(req.t("star.thanks", ["name": subject.name]))
            return req.redirect(to: StarRatingRoutes.surveyPath(r.id!, subject.key) + "?voted=1")
        } catch let v as ValidationFailure {
            return try await survey(
                req, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, form: form,
                status: .unprocessableEntity)
        } catch let x as any AbortError where [.conflict, .tooManyRequests, .serviceUnavailable].contains(x.status) {
            return try await survey(req, errors: [x.reason], form: form, status: x.status)
        }
    }

    static func sendCode(_ req: Request) async throws -> Response {
        let (r, _) = try await located(req)
        let form = try req.content.decode([String: String].self)
        do {
            _ = try await S.requestCode(r.id!, phone: form["phone"], req: req)
            let phone = PhoneNumber.normalized(form["phone"] ?? "") ?? ""
            return try await survey(
                req, errors: [], form: form, codeSent: req.t("star.codeSent", ["phone": Masking.keep(phone, head: 3, tail: 4)]))
        } catch let v as ValidationFailure {
            return try await survey(
                req, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, form: form,
                status: .unprocessableEntity)
        } catch let x as any AbortError where [.conflict, .tooManyRequests, .serviceUnavailable].contains(x.status) {
            return try await survey(req, errors: [x.reason], form: form, status: x.status)
        }
    }
}

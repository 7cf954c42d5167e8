import Fluent
import Foundation
import OneStopCore
import Vapor

struct HomeView: Encodable {
    struct CenterCard: Encodable {
        var code: String
        var name: String
        var level: String
        var address: String
        var phone: String?
        var officeHours: String
    }

    struct Stat: Encodable {
        var label: String
        var value: String
        var href: String?
    }

    var signedIn: Bool
    var centers: [CenterCard]
    var stats: [Stat]
    var today: String
    var todayKind: String
    /// A member of staff's own work now.
    var work: StaffWorkView?
}

/// The public profile page: the profile, and its 12 months of ratings in words and as a chart.
struct StaffPageView: Encodable {
    var p: StaffProfile
    var ratingsLine: String
    var chart: String
    /// 亮荣誉: the awards shown now for the person, their window unit and center.
    var awards: [String] = []
    /// 亮承诺: the half-year's public commitment, its pledges and, once reviewed, their results.
    var pledgesTitle = ""
    var pledges: [String] = []
    /// 亮星级 and 亮点评: the last confirmed 十星级, how it was made up, and the leaders' comment.
    var stars = ""
    var starsLine = ""
    var starsHref = ""
    var leaderComment = ""

    init(_ p: StaffProfile, req: Request) {
        self.p = p
        guard let r = p.ratings, r.rated > 0 else {
            ratingsLine = ""
            chart = ""
            return
        }
        ratingsLine = req.t(
            "profile.ratingsLine",
            [
                "n": String(r.rated), "satisfaction": RatingPages.percent(r.satisfaction),
                "average": r.average.map { String(format: "%.2f", $0) } ?? "—",
            ])
        chart = SVGChart.columns(
            id: "staff-ratings", title: req.t("profile.ratingsChart"), summary: req.t("profile.ratingsChart"),
            marks: r.months.map { m in
                .init(
                    label: String(m.month.suffix(2)), value: (m.satisfaction ?? 0) * 100,
                    caption: m.month + " "
                        + (m.rated == 0 ? req.t("profile.monthNone") : "\(RatingPages.percent(m.satisfaction))（\(m.rated)）"))
            }, unit: "%")
    }
}

enum PublicPages {
    static func register(_ r: any RoutesBuilder) {
        r.endpoint(.GET, access: .public) { req in try await home(req) }
        r.endpoint(.GET, "staff", ":id", access: .public) { req -> Response in
            let today = HallClock.day(req.now)
            let profile = try await StaffProfile.load(req.uuid("id"), today: today, on: req.db)
            var view = StaffPageView(profile, req: req)
            let staff = try await StaffModel.find(profile.id, on: req.db)
            let subjects = ["staff:" + profile.id.uuidString] + (staff?.departmentID.map { ["department:" + $0.uuidString] } ?? [])
            view.awards = try await AwardService.shown(for: subjects, today: today, on: req.db).map { a in
                req.t("award.kind.\(a.kind)") + "（" + (EvaluationPeriod(key: a.period)?.label ?? a.period) + "）"
                    + (a.subject.hasPrefix("department:") ? " · " + a.subjectName : "")
            }
            let half = EvaluationPeriod(.halfYear, containing: today)
            if let c = try await CommitmentService.of(["staff:" + profile.id.uuidString], on: req.db).first(where: {
                $0.period == half.description || $0.period == half.previous.description
            }) {
                view.pledgesTitle = req.t("profile.pledges", ["period": EvaluationPeriod(key: c.period)?.label ?? c.period])
                view.pledges = c.pledgesValue.map { p in
                    p.text + (p.result.map { "（" + req.t("commitment.result.\($0.rawValue)") + "）" } ?? "")
                }
            }
            let key = "staff:" + profile.id.uuidString.lowercased()
            if let result = try await StarRatingService.published([key], on: req.db)[key] {
                let period = EvaluationPeriod(key: result.period)?.label ?? result.period
                if let n = result.stars {
                    view.stars = String(repeating: "★", count: n) + String(repeating: "☆", count: 10 - n)
                    view.starsLine = req.t(
                        "star.profileLine", ["n": String(n), "period": period, "score": result.combined.map(ScoringRule.number) ?? "—"])
                } else {
                    view.starsLine = req.t("star.profileUnrated", ["period": period])
                }
                view.starsHref = StarRatingRoutes.surveyPath(result.ratingID, key)
                view.leaderComment = result.breakdownValue?.comment ?? ""
            }
            return try await req.page("public/staff", title: profile.name, view)
        }
        r.endpoint(.GET, "staff", ":id", "photo", access: .public) { req in
            try await StaffPhotoService.response(staff: req.uuid("id"), req: req)
        }
        r.endpoint(.GET, "lang", ":code", access: .public) { req -> Response in
            guard let lang = Language(rawValue: req.parameters.get("code") ?? "") else { throw Abort(.notFound) }
            let response = req.redirect(to: AuthPages.safeNext(req.query[String.self, at: "back"]))
            response.cookies[Language.cookieName] = HTTPCookies.Value(
                string: lang.rawValue, expires: req.now.addingTimeInterval(365 * 86400), path: "/",
                isSecure: req.application.settings.secureCookies, isHTTPOnly: true, sameSite: .lax)
            return response
        }
    }

    static func home(_ req: Request) async throws -> Response {
        let today = CivilDate.of(req.now)
        // An outside evaluator's home is their scoring list: nothing else of the center is theirs.
        if let p = req.principal, p.role.isOutsideEvaluator { return req.redirect(to: "/outside-evaluation") }
        if let p = req.principal, p.isStaff {
            let scope = try await req.scope()
            let centers = Array(scope.centers)
            let windows = try await WindowModel.query(on: req.db).filter(\.$centerID ~~ centers).all()
            let cal = try await req.application.calendars.calendar(for: p.centerID, on: req.db)
            let kind = cal.kind(of: today)
            let isAdmin = p.role == .centerAdmin
            let work = try await StaffHome.load(req, principal: p)
            // The center's counts are for those who run it; a clerk's home is their own work.
            let stats: [HomeView.Stat] =
                ![.centerAdmin, .supervisor].contains(p.role)
                ? []
                : [
                    .init(label: req.t("nav.centers"), value: String(centers.count), href: isAdmin ? "/admin/centers" : nil),
                    .init(
                        label: req.t("nav.departments"),
                        value: String(try await DepartmentModel.query(on: req.db).filter(\.$centerID ~~ centers).count()),
                        href: isAdmin ? "/admin/departments" : nil),
                    .init(
                        label: req.t("home.windowsOpen"), value: "\(windows.filter(\.isOpen).count) / \(windows.count)",
                        href: isAdmin ? "/admin/windows" : nil),
                    .init(
                        label: req.t("nav.staff"),
                        value: String(try await StaffModel.query(on: req.db).filter(\.$centerID ~~ centers).count()),
                        href: isAdmin ? "/admin/staff" : nil),
                ]
            return try await req.page(
                "public/home", title: req.t("home.title"),
                HomeView(
                    signedIn: true, centers: [], stats: stats, today: today.description,
                    todayKind: req.t("day.\(kind.rawValue)") + (cal.name(of: today).map { "（\($0)）" } ?? ""), work: work))
        }
        let centers = try await CenterModel.query(on: req.db).sort(\.$code).limit(50).all()
        return try await req.page(
            "public/home", title: req.t("home.title"),
            HomeView(
                signedIn: false,
                centers: centers.map {
                    .init(
                        code: $0.code, name: $0.name, level: req.t("level.\($0.level)"), address: $0.address, phone: $0.phone,
                        officeHours: $0.officeHours)
                }, stats: [], today: today.description, todayKind: ""))
    }
}

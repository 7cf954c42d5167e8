import Foundation
import OneStopCore
import Vapor

/// What every page's layout needs, wrapped around the page's own view model.
struct PageContext<P: Encodable>: Encodable {
    struct NavLink: Encodable {
        var href: String
        var label: String
        var current: Bool
    }

    struct Badge: Encodable {
        var name: String
        var role: String
    }

    var title: String
    var lang: String
    var switchHref: String
    var switchLabel: String
    var csrf: String?
    var user: Badge?
    var nav: [NavLink]
    var flash: String?
    var page: P
    /// Large text and high contrast, remembered per browser.
    var elder: Bool
    var elderHref: String
    /// Set on the hall's touch screen: its home and idle timeout.
    var kiosk: DisplayModes.Kiosk?
    /// A notice across the top of every page for those who must act on it.
    var banner: PageBanner?

    init(_ req: Request, title: String, _ page: P) {
        self.title = title
        self.page = page
        let lang = req.language
        self.lang = lang.rawValue
        let other: Language = lang == .zh ? .en : .zh
        let here = req.url.path + (req.url.query.map { "?\($0)" } ?? "")
        self.switchHref = "/lang/\(other.rawValue)?back=\(here.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/")"
        self.switchLabel = other == .en ? "English" : "中文"
        self.elder = DisplayModes.elder(req)
        let back = here.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? "/"
        self.elderHref = "/elder/\(elder ? "off" : "on")?back=\(back)"
        self.kiosk = DisplayModes.kiosk(req)
        self.csrf = req.hasSession ? req.csrfToken() : nil
        if let p = req.principal, p.kind == .user {
            // An applicant's username is generated; they know themselves by name.
            self.user = Badge(name: p.role == .applicant ? p.displayName : p.name, role: req.t("role.\(p.role.rawValue)"))
        }
        if req.hasSession, let f = req.session.data["flash"] {
            self.flash = f
            req.session.data["flash"] = nil
        }
        let path = req.url.path
        self.nav = Self.links(for: req.principal?.role).map {
            NavLink(href: $0.href, label: req.t($0.key), current: $0.href == "/" ? path == "/" : path.hasPrefix($0.href))
        }
    }

    static func links(for role: Role?) -> [(href: String, key: String)] {
        var out: [(String, String)] = [("/", "nav.home")]
        switch role {
        case .centerAdmin:
            out += [
                ("/admin/centers", "nav.centers"), ("/admin/departments", "nav.departments"), ("/admin/windows", "nav.windows"),
                ("/admin/staff", "nav.staff"), ("/admin/users", "nav.users"), ("/admin/devices", "nav.devices"),
                ("/admin/items", "nav.items"), ("/admin/bundles", "nav.bundles"), ("/admin/calendar", "nav.calendar"),
                ("/admin/audit", "nav.audit"), ("/admin/hall-groups", "nav.hallSetup"), ("/manage/hall", "nav.hallView"),
                ("/desk", "nav.desk"), ("/cases", "nav.cases"), ("/inquiries", "nav.inquiries"), ("/projects", "nav.projects"),
                ("/supervision", "nav.supervision"), ("/inbox", "nav.inbox"),
            ]
        case .supervisor:
            out += [
                ("/admin/calendar", "nav.calendar"), ("/admin/audit", "nav.audit"), ("/manage/hall", "nav.hallView"),
                ("/cases", "nav.cases"), ("/supervision", "nav.supervision"), ("/inbox", "nav.inbox"),
            ]
        case .chiefRepresentative:
            out += [
                ("/admin/items", "nav.items"), ("/admin/calendar", "nav.calendar"), ("/manage/hall", "nav.hallView"), ("/desk", "nav.desk"),
                ("/cases", "nav.cases"), ("/inquiries", "nav.inquiries"), ("/supervision", "nav.supervision"), ("/inbox", "nav.inbox"),
            ]
        case .windowStaff:
            out += [
                ("/desk", "nav.desk"), ("/cases", "nav.cases"), ("/inquiries", "nav.inquiries"), ("/supervision/cards", "nav.cards"),
                ("/inbox", "nav.inbox"),
                ("/admin/calendar", "nav.calendar"),
            ]
        case .applicant:
            out += [("/cases", "nav.myCases"), ("/apply", "nav.apply"), ("/track", "nav.track")]
        case nil:
            out += [("/track", "nav.track"), ("/register", "nav.register")]
        case .some(let r) where !r.isDevice:
            out += [("/admin/calendar", "nav.calendar")]
        default: break
        }
        return out
    }
}

/// A notice across the top of every page, with the place to act on it.
struct PageBanner: Encodable {
    var text: String
    var href: String
    var linkLabel: String
}

extension Request {
    func page<P: Encodable>(_ template: String, title: String, _ page: P, status: HTTPResponseStatus = .ok) async throws -> Response {
        var context = PageContext(self, title: title, page)
        context.banner = try await calendarBanner()
        let response = try await view.render(template, context).encodeResponse(for: self)
        response.status = status
        return response
    }

    func flash(_ message: String) { session.data["flash"] = message }

    /// From November 1 until next year's national arrangement is imported (and all year while the
    /// current year's is missing), administrators and supervisors are told on every page that
    /// the year's deadlines are provisional.
    func calendarBanner() async throws -> PageBanner? {
        guard let p = principal, p.role == .centerAdmin || p.role == .supervisor else { return nil }
        let today = HallClock.day(now)
        var years = [today.year]
        if today.month >= 11 { years.append(today.year + 1) }
        let confirmed = try await application.calendars.confirmedYears(on: db)
        guard let year = years.first(where: { confirmed[$0] == nil }) else { return nil }
        return .init(
            text: t("calendar.banner", ["year": String(year)]), href: "/admin/calendar?year=\(year)&scope=national#import",
            linkLabel: t(p.role == .centerAdmin ? "calendar.bannerImport" : "calendar.bannerView"))
    }
}

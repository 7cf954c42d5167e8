import Fluent
import Foundation
import OneStopCore
import Vapor

/// What every page's layout needs, wrapped around the page's own view model.
struct PageContext<P: Encodable>: Encodable {
    struct NavLink: Encodable {
        var href: String
        var label: String
        var current: Bool
        /// A group's links (then `href` is empty).
        var links: [NavLink] = []
        /// The viewer's unread messages, on the inbox's link.
        var count: Int = 0
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
    /// "?center=<id>" while a viewer looks at a center of their scope other than their own (the
    /// center pages' `?center=`), for the pages' forms to post for that center; else "".
    var centerQuery: String
    /// That center's id, for a form that asks by GET.
    var centerID: String

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
        self.centerID = req.viewedCenter?.uuidString.lowercased() ?? ""
        self.centerQuery = req.viewedCenterParameter.map { "?" + $0 } ?? ""
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
        func link(_ e: MenuEntry) -> NavLink {
            let links = e.children.map(link)
            let current = e.href.isEmpty ? links.contains(where: \.current) : e.href == "/" ? path == "/" : path.hasPrefix(e.href)
            return NavLink(href: e.href, label: req.t(e.key), current: current, links: links)
        }
        self.nav = Self.links(for: req.principal?.role).map(link)
    }

    /// A role's menu: the links of its daily work first, each set of occasional ones grouped
    /// under one entry (a phone's first screen showed the administrator's 22 links and nothing else).
    static func links(for role: Role?) -> [MenuEntry] {
        let home = MenuEntry("/", "nav.home")
        let setup = MenuEntry(
            group: "nav.group.setup",
            [
                .init("/admin/centers", "nav.centers"), .init("/admin/departments", "nav.departments"),
                .init("/admin/windows", "nav.windows"), .init("/admin/staff", "nav.staff"), .init("/admin/users", "nav.users"),
                .init("/admin/devices", "nav.devices"), .init("/admin/hall-groups", "nav.hallSetup"),
                .init("/admin/calendar", "nav.calendar"), .init("/admin/dispatch-rules", "nav.dispatchRules"),
                .init("/admin/open311", "nav.open311"),
            ])
        let catalog = MenuEntry(group: "nav.group.catalog", [.init("/admin/items", "nav.items"), .init("/admin/bundles", "nav.bundles")])
        let casework = MenuEntry(
            group: "nav.group.casework",
            [.init("/cases", "nav.cases"), .init("/inquiries", "nav.inquiries"), .init("/projects", "nav.projects")])
        let oversight = MenuEntry(
            group: "nav.group.oversight",
            [
                .init("/supervision", "nav.supervision"), .init("/indicators", "nav.indicators"), .init("/assessments", "nav.assessments"),
                .init("/awards", "nav.awards"), .init("/commitments", "nav.commitments"), .init("/star-ratings", "nav.starRatings"),
                .init("/brands/manage", "nav.brands"), .init("/ratings", "nav.ratings"),
                .init("/work-orders", "nav.workOrders"),
                .init("/phone-calls", "nav.phoneCalls"),
                .init("/admin/audit", "nav.audit"),
            ])
        let inbox = MenuEntry("/inbox", "nav.inbox", unread: true)
        switch role {
        case .centerAdmin:
            return [
                home, .init("/manage/hall", "nav.hallView"), .init("/desk", "nav.desk"),
                .init(
                    group: "nav.group.center",
                    [
                        .init("/center/duty", "nav.duty"), .init("/center/conduct", "nav.conduct"),
                        .init("/center/staff", "nav.staffRegister"),
                        .init("/center/leave", "nav.leave"), .init("/center/hall-rules", "nav.hallRules"),
                        .init("/center/admissions", "nav.admissions"),
                    ]),
                casework, oversight, catalog, setup, inbox,
            ]
        case .supervisor:
            return [
                home, .init("/supervision", "nav.supervision"), .init("/indicators", "nav.indicators"),
                .init("/assessments", "nav.assessments"), .init("/star-ratings", "nav.starRatings"), .init("/ratings", "nav.ratings"),
                .init("/work-orders", "nav.workOrders"),
                .init("/phone-calls", "nav.phoneCalls"), .init("/manage/hall", "nav.hallView"), .init("/center/duty", "nav.duty"),
                .init("/center/conduct", "nav.conduct"), .init("/center/hall-rules", "nav.hallRules"), .init("/cases", "nav.cases"),
                .init("/admin/audit", "nav.audit"),
                .init("/admin/calendar", "nav.calendar"), inbox,
            ]
        case .chiefRepresentative:
            return [
                home, .init("/desk", "nav.desk"), .init("/cases", "nav.cases"), .init("/supervision", "nav.supervision"),
                .init("/ratings", "nav.ratings"), .init("/work-orders", "nav.workOrders"),
                .init(
                    group: "nav.group.more",
                    [
                        .init("/inquiries", "nav.inquiries"), .init("/indicators", "nav.indicators"),
                        .init("/commitments", "nav.commitments"), .init("/star-ratings", "nav.starRatings"),
                        .init("/brands/manage", "nav.brands"), .init("/phone-calls", "nav.phoneCalls"),
                        .init("/manage/hall", "nav.hallView"), .init("/center/duty", "nav.duty"),
                        .init("/center/conduct", "nav.conduct"), .init("/center/staff", "nav.staffRegister"),
                        .init("/center/leave", "nav.leave"), .init("/center/hall-rules", "nav.hallRules"),
                        .init("/center/admissions", "nav.admissions"), .init("/admin/items", "nav.items"),
                        .init("/admin/calendar", "nav.calendar"),
                    ]),
                inbox,
            ]
        case .windowStaff:
            return [
                home, .init("/desk", "nav.desk"), .init("/cases", "nav.cases"), .init("/inquiries", "nav.inquiries"),
                .init("/supervision/cards", "nav.cards"), .init("/commitments", "nav.commitments"),
                .init("/center/leave", "nav.leave"), .init("/admin/calendar", "nav.calendar"),
                inbox,
            ]
        case .applicant:
            return [home, .init("/cases", "nav.myCases"), .init("/apply", "nav.apply"), .init("/track", "nav.track")]
        case nil:
            return [home, .init("/track", "nav.track"), .init("/verify", "nav.verify"), .init("/register", "nav.register")]
        case .hotlineOperator:
            return [
                home, .init("/work-orders/new", "nav.newWorkOrder"), .init("/work-orders", "nav.workOrders"),
                .init("/phone-calls", "nav.phoneCalls"), .init("/ratings/hotline", "nav.hotlineRating"),
                .init("/admin/calendar", "nav.calendar"), inbox,
            ]
        case .campaignOffice:
            return [
                home, .init("/indicators", "nav.indicators"), .init("/assessments", "nav.assessments"), .init("/awards", "nav.awards"),
                .init("/commitments", "nav.commitments"), .init("/star-ratings", "nav.starRatings"),
                .init("/brands/manage", "nav.brands"), .init("/admin/calendar", "nav.calendar"),
                inbox,
            ]
        case .publicSupervisor, .conductReviewer, .specialInspector:
            return [.init("/outside-evaluation", "nav.outsideEvaluation")]
        case .expertReviewer:
            return [home, .init("/brands/experts", "nav.brandExperts"), .init("/brands/notices", "nav.brandNotices"), inbox]
        case .some(let r) where !r.isDevice:
            return [home, .init("/admin/calendar", "nav.calendar")]
        default:
            return [home]
        }
    }
}

/// One entry of the menu: a link, or a group of links under a label.
struct MenuEntry: Sendable {
    var href: String
    var key: String
    var children: [MenuEntry] = []
    /// Shows the viewer's unread messages beside it.
    var unread = false

    init(_ href: String, _ key: String, unread: Bool = false) {
        self.href = href
        self.key = key
        self.unread = unread
    }

    init(group key: String, _ children: [MenuEntry]) {
        self.href = ""
        self.key = key
        self.children = children
    }
}

/// A notice across the top of every page, with the place to act on it.
struct PageBanner: Encodable {
    var text: String
    var href: String
    var linkLabel: String
}

extension Request {
    /// The center asked for by `?center=`, not yet checked against the viewer's scope.
    var viewedCenter: UUID? { query[String.self, at: "center"].flatMap(UUID.init(uuidString:)) }

    /// "center=<id>" of `viewedCenter`, for a link or a redirect back to it.
    var viewedCenterParameter: String? { viewedCenter.map { "center=\($0.uuidString.lowercased())" } }

    func page<P: Encodable>(_ template: String, title: String, _ page: P, status: HTTPResponseStatus = .ok) async throws -> Response {
        var context = PageContext(self, title: title, page)
        context.banner = try await calendarBanner()
        if let p = principal, p.kind == .user, p.role != .applicant, let i = context.nav.firstIndex(where: { $0.href == "/inbox" }) {
            context.nav[i].count = try await InboxMessageModel.query(on: db).filter(\.$userID == p.id).filter(\.$readAt == nil).count()
        }
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

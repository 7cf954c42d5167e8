import Fluent
import Foundation
import OneStopCore
import Vapor

/// The lists of cases: the staff's (all of their centers', or their own open ones by due date) and
/// an applicant's own.
extension CasePages {
    struct Row: Encodable {
        var id: String
        var number: String
        var itemName: String
        var state: String
        var stateLabel: String
        var receivedOn: String
        var promisedDue: String
        var daysLeft: String
        var level: String
        var levelLabel: String
        var dueProvisional: Bool
        /// 特事特办's name, empty for an ordinary case.
        var special: String
    }

    struct ListView: Encodable {
        var rows: [Row]
        var states: [FormView.Option]
        var canTakeIn: Bool
        var applicant: Bool
        /// The staff's own open cases by promised date.
        var mine: Bool
    }

    static func list(_ req: Request) async throws -> Response {
        let p = try req.requirePrincipal()
        let cases = try await CaseAPIController.list(req)
        let state = req.query[String.self, at: "state"] ?? ""
        let mine = p.role != .applicant && req.query[Bool.self, at: "mine"] == true
        let rows = cases.map {
            Row(
                id: $0.id.uuidString, number: $0.number, itemName: $0.itemName, state: $0.state,
                stateLabel: req.t("case.state.\($0.state)"),
                receivedOn: $0.receivedOn, promisedDue: $0.promisedDue ?? "—", daysLeft: $0.daysLeft.map(String.init) ?? "—",
                level: $0.level ?? "", levelLabel: $0.level.map { req.t("supervision.level.\($0)") } ?? "",
                dueProvisional: $0.dueProvisional,
                special: $0.special.flatMap(SpecialHandling.init(rawValue:)).map { req.t($0.messageKey) } ?? "")
        }
        let states =
            [FormView.Option(value: "", label: req.t("case.list.allStates"), selected: state.isEmpty)]
            + CaseState.allCases.map { .init(value: $0.rawValue, label: req.t($0.messageKey), selected: $0.rawValue == state) }
        return try await req.page(
            "cases/list", title: req.t(p.role == .applicant ? "case.list.mine" : "case.list.title"),
            ListView(
                rows: rows, states: states, canTakeIn: CaseAccess.handlers.admits(p.role), applicant: p.role == .applicant, mine: mine))
    }

}

import Foundation
import OneStopCore
import Vapor

/// The service a visitor came for, when they took the ticket from its guide: the take page points
/// to the group that serves it, and the ticket lists the materials to have ready.
enum TicketItem {
    struct View: Encodable {
        var code: String
        var name: String
        var checklistHref: String
        var materials: [String]
    }

    /// The item by code, published and served at the hall; nil for anything else.
    static func find(_ code: String?, hall: HallConfig, req: Request) async throws -> CatalogSnapshot.Item? {
        guard let code = code?.trimmingCharacters(in: .whitespaces), !code.isEmpty, code.count <= 80 else { return nil }
        guard let item = try await req.catalog().item(code: code), item.centers.contains(hall.centerID) else { return nil }
        return item
    }

    static func view(_ item: CatalogSnapshot.Item, hall: HallConfig, req: Request) -> View {
        View(
            code: item.guide.code, name: item.guide.name, checklistHref: "/guide/\(item.guide.code)/checklist?center=\(hall.centerCode)",
            materials: item.guide.materials.map { m in
                m.name + (m.need == .conditional ? "（" + (m.condition ?? req.t("guide.conditional")) + "）" : "")
            })
    }

    /// The group to take a ticket in for the item: its department's own group, else the
    /// comprehensive one (a group of no department).
    static func group(for item: CatalogSnapshot.Item, hall: HallConfig) -> UUID? {
        let active = hall.groups.filter(\.active)
        return (active.first { $0.departmentID == item.departmentID } ?? active.first { $0.departmentID == nil })?.id
    }
}

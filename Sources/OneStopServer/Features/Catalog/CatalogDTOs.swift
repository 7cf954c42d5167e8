import Foundation
import OneStopCore
import Vapor

/// An item in lists and search results.
struct ItemSummaryDTO: Content {
    var id: UUID
    var code: String
    var name: String
    var tier: String
    var status: String
    var centerID: UUID
    var departmentID: UUID
    var departmentName: String?
    var versionInForce: Int?
    var hasDraft: Bool
    var caseType: String?
    var promisedDays: Int?
    var legalDays: Int?
    var onlineApplication: Bool?
    /// In search results: found only in its department or materials (it needs what was searched
    /// for), and its sub-items and handling items found too, folded under it.
    var related: Bool?
    var children: [ItemSummaryDTO]?

    init(_ m: ServiceItemModel, departmentName: String? = nil) {
        id = m.id!
        code = m.code
        name = m.name
        tier = m.tier
        status = m.status
        centerID = m.centerID
        departmentID = m.departmentID
        self.departmentName = departmentName
        versionInForce = m.versionInForce
        hasDraft = m.draft != nil
    }

    init(_ i: CatalogSnapshot.Item) {
        id = i.id
        code = i.guide.code
        name = i.guide.name
        tier = i.guide.tier.rawValue
        status = ItemStatus.published.rawValue
        centerID = i.centerID
        departmentID = i.departmentID
        departmentName = i.departmentName
        versionInForce = i.version
        hasDraft = false
        caseType = i.guide.caseType.rawValue
        promisedDays = i.guide.promisedDays
        legalDays = i.guide.legalDays
        onlineApplication = i.guide.onlineApplication
    }
}

/// One item: the guide in force for everyone; the draft, the version history and delegations
/// for those who may edit it.
struct ItemDTO: Content {
    struct Version: Content {
        var version: Int
        var publishedAt: Date
        var publishedBy: String
    }

    struct Delegation: Content {
        var centerID: UUID
        var windowNumbers: [Int]
        var consultPhone: String?
    }

    var id: UUID
    var code: String
    var status: String
    var centerID: UUID
    var departmentID: UUID
    var versionInForce: Int?
    var guide: ItemGuide?
    var draft: ItemGuide?
    var versions: [Version]?
    var delegations: [Delegation]
}

struct ItemSearchDTO: Content {
    var query: String
    var total: Int
    /// True when nothing matched the whole query and `items` are near misses.
    var suggestion: Bool
    var items: [ItemSummaryDTO]
}

struct BundleDTO: Content {
    struct Material: Content {
        var name: String
        var form: String
        var copies: Int
        var need: String
        var condition: String?
        var items: [String]
        /// The earlier item of the bundle that issues it: not to be brought.
        var producedBy: String?
    }

    var id: UUID
    var centerID: UUID
    var name: String
    var summary: String
    var theme: String
    var items: [ItemSummaryDTO]
    /// The combined, de-duplicated material list (only in `getBundle`).
    var materials: [Material]?
}

struct DelegationInput: Content {
    var centerID: String?
    var windowNumbers: [Int]?
    var consultPhone: String?
}
extension ItemGuide: Content {}

/// A template or example file, without its bytes.
struct ItemFileDTO: Content {
    var id: UUID
    var material: String
    var kind: String
    var filename: String
    var size: Int
    var href: String

    init(_ f: (id: UUID, material: String, kind: String, filename: String, size: Int)) {
        id = f.id
        material = f.material
        kind = f.kind
        filename = f.filename
        size = f.size
        href = "/files/\(f.id)"
    }

    init(_ row: ItemFileModel) {
        self.init((row.id!, row.material, row.kind, row.filename, row.size))
    }
}

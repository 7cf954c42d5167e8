import Foundation
import OneStopCore
import Vapor

/// View models of the public online hall.
struct HallCenter: Encodable, Sendable {
    var id: String
    var name: String
    var code: String
    var address: String
    var phone: String?
    var officeHours: String
    var commitment: String

    init(_ c: CenterModel) {
        id = c.id?.uuidString ?? ""
        name = c.name
        code = c.code
        address = c.address
        phone = c.phone
        officeHours = c.officeHours
        commitment = c.commitment
    }
}

struct HallLink: Encodable {
    var href: String
    var label: String
    var note: String? = nil
}

struct HallHomeView: Encodable {
    var center: HallCenter
    var departments: [HallLink]
    var themes: [HallLink]
    var bundles: [HallLink]
    var windows: [HallLink]
    var popular: [HallLink]
    var total: Int
}

struct HallListView: Encodable {
    struct Entry: Encodable {
        var href: String
        var name: String
        var code: String
        var department: String
        var caseType: String
        var promised: String
        var online: Bool
        /// Found only in its department or materials; the first such entry opens their section.
        var related = false
        var firstRelated = false
        /// Its sub-items that matched too, each with its own handling items (新办, 变更…).
        var children: [Child] = []
    }

    struct Child: Encodable {
        var link: HallLink
        var handling: [HallLink] = []
    }

    var center: HallCenter
    var heading: String
    var query: String?
    var total: Int
    var suggestion: Bool
    var entries: [Entry]
    var hints: [HallLink]
    var previousHref: String?
    var nextHref: String?
}

/// One row of a material checklist: on a guide with its template files, on a bundle with the
/// items that ask for it.
struct HallMaterial: Encodable {
    var number: Int
    var name: String
    var form: String
    var copies: Int
    var required: Bool
    var condition: String?
    var files: [HallLink] = []
    var items: String = ""

    init(_ number: Int, _ m: ItemGuide.Material, req: Request) {
        self.number = number
        name = m.name
        form = m.form.label(req)
        copies = m.copies
        required = m.need == .required
        condition = m.condition
    }
}

struct GuideView: Encodable {
    struct Special: Encodable {
        var name: String
        var days: Int
    }

    struct Person: Encodable {
        var href: String
        var name: String
        var post: String
        var commitment: String
    }

    var center: HallCenter
    var code: String
    var name: String
    var type: String
    var tier: String
    var handling: String?
    var level: String
    var caseType: String
    var immediate: Bool
    var legalDays: Int
    var promisedDays: Int
    var daysSaved: Int
    var feeFree: Bool
    var feeStandard: String?
    var feeBasis: String?
    /// 审批结果名称, when the item issues something.
    var result: String?
    var basis: String
    var conditions: String
    var materials: [HallMaterial]
    var steps: [String]
    var special: [Special]
    var officeHours: String
    var consultPhone: String
    var supervisePhone: String
    var visits: Int
    var online: Bool
    var windows: [String]
    var department: String
    var departmentCommitment: String
    var staff: [Person]
    /// 一诺: the center's and the department's public commitments of the half-year (or the last
    /// one), pledge by pledge, with the 回头看 result once reviewed.
    var pledges: [PledgeBlock] = []
    var version: Int
    var parent: HallLink?
    var children: [HallLink]
    var otherCenters: [HallLink]
    var bundles: [HallLink]
    var checklistHref: String
    var printedOn: String
}

struct PledgeBlock: Encodable {
    var name: String
    var period: String
    var pledges: [String]
}

struct BundleView: Encodable {
    var center: HallCenter
    var name: String
    var summary: String
    var items: [HallLink]
    var materials: [HallMaterial]
    var totalAsked: Int
    /// Materials an earlier item of the bundle issues: not to bring, with the item that issues them.
    var produced: [HallLink]
}

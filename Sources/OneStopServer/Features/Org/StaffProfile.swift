import Fluent
import Foundation
import OneStopCore
import Vapor

/// 五亮 — what anyone may see of a staff member: identity, post, duties and commitment. No phone or
/// ID number appears here at all.
struct StaffProfile: Content {
    var id: UUID
    var name: String
    var initial: String
    var jobNumber: String
    var post: String
    var partyMember: Bool
    var duties: String
    var commitment: String
    /// The unit's public commitments, shown beside the person's own.
    var departmentCommitment: String?
    var centerCommitment: String?
    var departmentName: String?
    var centerName: String
    var windows: [Int]
    /// Absent until a photo is uploaded; the page then shows the initial.
    var photoURL: String?
    /// 亮评议: their ratings over the last 12 months, month by month (appeal-upheld excluded).
    var ratings: RatingSummaries.Summary?

    /// `today` given: with the last 12 months of ratings.
    static func load(_ id: UUID, today: CivilDate? = nil, on db: any Database) async throws -> StaffProfile {
        guard let s = try await StaffModel.find(id, on: db), let center = try await CenterModel.find(s.centerID, on: db) else {
            throw Abort(.notFound)
        }
        var dept: DepartmentModel? = nil
        if let d = s.departmentID { dept = try await DepartmentModel.find(d, on: db) }
        var ratings: RatingSummaries.Summary?
        if let today { ratings = try await RatingSummaries.months(RatingSummaries.scope(staff: id), through: today, count: 12, on: db) }
        var windows: [Int] = []
        if let d = s.departmentID {
            windows = try await WindowModel.query(on: db).filter(\.$departmentID == d).sort(\.$number).all().map(\.number)
        }
        return StaffProfile(
            id: id, name: s.name, initial: String(s.name.prefix(1)), jobNumber: s.jobNumber, post: s.post,
            partyMember: s.partyMember, duties: s.duties, commitment: s.commitment,
            departmentCommitment: dept.map(\.commitment).flatMap { $0.isEmpty ? nil : $0 },
            centerCommitment: center.commitment.isEmpty ? nil : center.commitment, departmentName: dept?.name,
            centerName: center.name, windows: windows,
            photoURL: try await StaffPhotoService.exists(id, on: db) ? "/staff/\(id)/photo" : nil,
            ratings: ratings)
    }
}

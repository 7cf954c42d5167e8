import Fluent
import Foundation
import OneStopCore
import Vapor

enum DepartmentService {
    static func save(_ input: DepartmentInput, existing id: UUID?, req: Request) async throws -> DepartmentModel {
        var edit = try await OrgEdit<DepartmentModel>.begin(id, center: input.centerID, req: req)
        let chief = edit.reference(input.chiefStaffID, field: "chiefStaffID")
        switch input.validate() {
        case .failure(let f): edit.errors += f.errors
        case .success(let v):
            guard let centerID = edit.centerID, edit.errors.isEmpty else { break }
            try await edit.unique("code", edit.inCenter(centerID).filter(\.$code == v.code))
            try await edit.sameCenter(StaffModel.self, chief, field: "chiefStaffID", center: centerID)
            let row = edit.row
            row.centerID = centerID
            row.name = v.name
            row.code = v.code
            row.phone = v.phone
            row.commitment = v.commitment
            row.issuer = v.issuer.rawValue
            row.issuerName = v.issuerName
            row.chiefStaffID = chief
            row.canApproveOnSpot = input.canApproveOnSpot ?? false
            row.canReviewReported = input.canReviewReported ?? false
            row.canSupervisePromised = input.canSupervisePromised ?? false
            row.canCoordinateJoint = input.canCoordinateJoint ?? false
        }
        return try await edit.save("department") { ["code": $0.code, "name": $0.name] }
    }
}

enum WindowService {
    static func save(_ input: WindowInput, existing id: UUID?, req: Request) async throws -> WindowModel {
        var edit = try await OrgEdit<WindowModel>.begin(id, center: input.centerID, req: req)
        let departmentID = edit.reference(input.departmentID, field: "departmentID")
        switch input.validate() {
        case .failure(let f): edit.errors += f.errors
        case .success(let v):
            guard let centerID = edit.centerID, edit.errors.isEmpty else { break }
            try await edit.unique("number", code: "window.numberTaken", edit.inCenter(centerID).filter(\.$number == v.number))
            try await edit.sameCenter(DepartmentModel.self, departmentID, field: "departmentID", center: centerID)
            let row = edit.row
            row.centerID = centerID
            row.number = v.number
            row.name = v.name
            row.kind = v.kind.rawValue
            row.departmentID = v.kind == .department ? departmentID : nil
            row.isOpen = v.isOpen
            row.phone = v.phone
        }
        return try await edit.save("window") { ["number": String($0.number), "open": String($0.isOpen)] }
    }
}

import Fluent
import Foundation
import OneStopCore
import Vapor

/// The small display above a window: who serves here (their public profile, 五亮) and their stars.
enum WindowScreen {
    struct DTO: Content {
        var windowID: UUID
        var number: Int
        var name: String
        var staff: StaffProfile?
        /// 1–5: the mean of the staff member's ratings over the last 30 days, rounded; nil before any.
        var stars: Int?
    }

    static func profile(_ windowID: UUID, req: Request) async throws -> DTO {
        guard let w = try await WindowModel.find(windowID, on: req.db) else { throw Abort(.notFound) }
        let seat = try await WindowStateModel.find(windowID, on: req.db)
        guard let staffID = seat?.staffID, seat?.userID != nil else {
            return DTO(windowID: windowID, number: w.number, name: w.name, staff: nil, stars: nil)
        }
        let since = HallClock.millis(req.now) - 30 * 86_400_000
        let levels = try await RatingModel.query(on: req.db).filter(\.$staffID == staffID).filter(\.$at >= since)
            .filter(\.$level != nil).all().compactMap(\.level)
        let stars = levels.isEmpty ? nil : Int((Double(levels.reduce(0, +)) / Double(levels.count)).rounded())
        return DTO(
            windowID: windowID, number: w.number, name: w.name, staff: try await StaffProfile.load(staffID, on: req.db), stars: stars)
    }
}

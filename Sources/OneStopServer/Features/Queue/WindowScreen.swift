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
        /// 0–10: the staff member's 十星级 of the last confirmed star rating (一诺双评); nil before any.
        var stars: Int?
        /// The half-year those stars are for, and the leaders' published comment.
        var starsPeriod: String?
        var starsComment: String?
        /// While the center's star rating is open: the survey of the person at the window, for its QR code.
        var surveyPath: String?
        /// The window's ratings this month so far, and the share satisfied (nil before any).
        var monthRated: Int
        var monthSatisfaction: Double?
        /// The awards shown now for the window, its unit and the staff member at it (流动红旗, 党员示范窗口…).
        var awards: [String]
    }

    static func profile(_ windowID: UUID, req: Request) async throws -> DTO {
        guard let w = try await WindowModel.find(windowID, on: req.db) else { throw Abort(.notFound) }
        let today = HallClock.day(req.now)
        let (month, _) = try await RatingFigures.sum(
            scopes: [RatingSummaries.scope(window: windowID)], from: RatingSummaries.monthStart(today, back: 0), to: today, on: req.db)
        let seat = try await WindowStateModel.find(windowID, on: req.db)
        var subjects = ["window:" + windowID.uuidString, "center:" + w.centerID.uuidString]
        if let d = w.departmentID { subjects.append("department:" + d.uuidString) }
        if let s = seat?.staffID, seat?.userID != nil { subjects.append("staff:" + s.uuidString) }
        let awards = try await AwardService.shown(for: subjects, today: today, on: req.db).map {
            req.t("award.kind.\($0.kind)") + " · " + (EvaluationPeriod(key: $0.period)?.label ?? $0.period)
        }
        guard let staffID = seat?.staffID, seat?.userID != nil else {
            return DTO(
                windowID: windowID, number: w.number, name: w.name, staff: nil, monthRated: month.rated,
                monthSatisfaction: month.satisfaction, awards: awards)
        }
        let key = "staff:" + staffID.uuidString.lowercased()
        let result = try await StarRatingService.published([key], on: req.db)[key]
        var survey: String?
        if let open = try await StarRatingService.openRating(center: w.centerID, on: req.db), open.kindsValue.contains(.staff) {
            survey = StarRatingRoutes.surveyPath(try open.requireID(), key)
        }
        return DTO(
            windowID: windowID, number: w.number, name: w.name, staff: try await StaffProfile.load(staffID, on: req.db),
            stars: result?.stars, starsPeriod: result.map { EvaluationPeriod(key: $0.period)?.label ?? $0.period },
            starsComment: result?.breakdownValue?.comment, surveyPath: survey, monthRated: month.rated,
            monthSatisfaction: month.satisfaction, awards: awards)
    }
}

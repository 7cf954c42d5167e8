import Foundation
import OneStopCore
import Vapor

/// Pages of cases. A notice is served exactly as it was stored when issued.
enum CasePages {
    static func register(_ app: any RoutesBuilder) {
        app.endpoint(.GET, "notices", ":serial", access: CaseAccess.viewers) { req in
            let (n, _) = try await CaseAPIController.notice(req.parameters.get("serial") ?? "", req: req)
            return CaseNotices.response(n)
        }
    }
}

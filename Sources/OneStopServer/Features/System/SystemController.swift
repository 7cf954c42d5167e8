import Fluent
import Foundation
import Prometheus
import SQLKit
import Vapor

/// Health, readiness, metrics and the API description.
enum SystemController {
    static func register(_ app: any RoutesBuilder, application: Application) {
        app.endpoint(.GET, "healthz", access: .public) { _ in "ok" }
        app.endpoint(.GET, "readyz", access: .public) { req -> Response in
            guard let sql = req.db as? any SQLDatabase else { throw Abort(.serviceUnavailable) }
            do {
                try await sql.raw("SELECT 1").run()
            } catch {
                throw Abort(.serviceUnavailable, reason: "database unreachable")
            }
            return Response(status: .ok, body: .init(string: "ready"))
        }
        app.endpoint(.GET, "metrics", access: .public) { req -> Response in
            // The last year whose national holiday arrangement is imported: an alert can fire when
            // it is the current year and November has begun.
            if let last = try await req.application.calendars.confirmedYears(on: req.db).keys.max() {
                req.application.metricsRegistry.makeGauge(
                    descriptor: MetricNameDescriptor(
                        namespace: "onestop", subsystem: "calendar", metricName: "last_confirmed", unitName: "year",
                        helpText: "The last year whose national holiday arrangement is imported; later years are provisional")
                ).set(Double(last))
            }
            var buffer: [UInt8] = []
            req.application.metricsRegistry.emit(into: &buffer)
            var headers = HTTPHeaders()
            headers.contentType = HTTPMediaType(type: "text", subType: "plain", parameters: ["version": "0.0.4", "charset": "utf-8"])
            return Response(status: .ok, headers: headers, body: .init(data: Data(buffer)))
        }
        app.endpoint(.GET, "openapi.json", access: .public) { req -> Response in
            let doc = OpenAPIDocument.build(routes: req.application.routes.all)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            var headers = HTTPHeaders()
            headers.contentType = .json
            return Response(status: .ok, headers: headers, body: .init(data: try encoder.encode(doc)))
        }
    }
}

import Foundation
import OneStopCore
import Vapor

/// The hall's set-up (administrators) and its report (administrators, supervisors, chief
/// representatives) over HTTP.
enum QueueManageController {
    static func register(_ api: any RoutesBuilder) {
        let q = api.grouped("centers", ":id", "queue")
        q.endpoint(
            .GET, "settings", access: .admins,
            operation: .init(
                id: "getQueueSettings", summary: "The center's calling rule, voice template, board notice and rating timeout",
                tag: "Queue setup", response: "QueueSettings")
        ) { req in
            try await HallSetup.settings(hall(req))
        }
        q.endpoint(
            .PUT, "settings", access: .admins,
            operation: .init(
                id: "updateQueueSettings", summary: "Change the calling rule and display texts (fields left out keep their values)",
                tag: "Queue setup", request: "QueueSettings", response: "QueueSettings")
        ) { req in
            let input = try req.content.decode(QueueSettingsDTO.self)
            return try await HallSetup.settings(HallSetup.saveSettings(center: req.uuid("id"), input, req: req))
        }
        q.endpoint(
            .GET, "groups", access: .admins,
            operation: .init(
                id: "listServiceGroups", summary: "The service groups with their letters, slots and windows", tag: "Queue setup",
                response: "ServiceGroup", responseIsList: true)
        ) { req in
            try await HallSetup.groups(hall(req))
        }
        q.endpoint(
            .POST, "groups", access: .admins,
            operation: .init(
                id: "createServiceGroup", summary: "Add a service group and the windows that serve it", tag: "Queue setup",
                request: "ServiceGroup", response: "ServiceGroup", successStatus: 201)
        ) { req in
            let input = try req.content.decode(ServiceGroupDTO.self)
            let hall = try await HallSetup.saveGroup(center: req.uuid("id"), id: nil, input, departmentGiven: true, req: req)
            let prefix = (input.prefix ?? "").trimmingCharacters(in: .whitespaces).uppercased()
            guard let g = HallSetup.groups(hall).first(where: { $0.prefix == prefix }) else { throw Abort(.internalServerError) }
            return try await OrgAPIController.created(g, req)
        }
        q.endpoint(
            .PUT, "groups", ":group", access: .admins,
            operation: .init(
                id: "updateServiceGroup",
                summary: "Change a service group (fields left out keep their values); active false retires it", tag: "Queue setup",
                request: "ServiceGroup", response: "ServiceGroup")
        ) { req in
            let input = try req.content.decode(ServiceGroupDTO.self)
            let gid = try req.uuid("group")
            let hall = try await HallSetup.saveGroup(
                center: req.uuid("id"), id: gid, input, departmentGiven: bodyHasKey(req, "departmentID"), req: req)
            guard let g = HallSetup.groups(hall).first(where: { $0.id == gid }) else { throw Abort(.notFound) }
            return g
        }
        q.endpoint(
            .GET, "report", access: QueueReports.access,
            operation: .init(
                id: "queueReport",
                summary:
                    "Tickets, wait and service times (mean, 90th percentile), no-shows, idle time and ratings per group, window or staff member",
                tag: "Queue", response: "QueueReport",
                query: [
                    .init(name: "from", type: "string", format: "date", description: "YYYY-MM-DD (default today)"),
                    .init(name: "to", type: "string", format: "date", description: "YYYY-MM-DD (default: from)"),
                    .init(name: "by", type: "string", description: "group (default), window or staff"),
                    .init(name: "format", type: "string", description: "json (default) or csv"),
                ])
        ) { req -> Response in
            let hall = try await hall(req)
            let (range, dim) = try QueueReports.parse(
                from: req.query["from"], to: req.query["to"], by: req.query["by"], today: HallClock.day(req.now))
            let report = try await QueueReports.report(hall: hall, range: range, by: dim, req: req)
            if req.query[String.self, at: "format"] == "csv" {
                let response = Response(status: .ok, body: .init(string: QueueReports.csv(report, req: req)))
                response.headers.replaceOrAdd(name: .contentType, value: "text/csv; charset=utf-8")
                response.headers.replaceOrAdd(
                    name: .contentDisposition,
                    value: "attachment; filename=\"queue-\(hall.centerCode)-\(report.from)-\(report.to)-\(report.by).csv\"")
                return response
            }
            return try await report.encodeResponse(for: req)
        }
    }

    /// Whether a JSON body names a key at all (null included), for "left out keeps its value".
    static func bodyHasKey(_ req: Request, _ key: String) -> Bool {
        guard let buffer = req.body.data, let object = try? JSONSerialization.jsonObject(with: Data(buffer.readableBytesView))
        else { return false }
        return (object as? [String: Any])?.keys.contains(key) ?? false
    }

    /// The center named in the path, within the caller's scope.
    static func hall(_ req: Request) async throws -> HallConfig {
        let center = try req.uuid("id")
        try await req.scope().require(center)
        return try await req.application.halls.config(for: center, on: req.db)
    }
}

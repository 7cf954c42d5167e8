import Fluent
import Foundation
import OneStopCore
import SQLKit
import Vapor

/// Open311 GeoReport v2 service requests (issue 20), beside the catalog's read-only service list
/// (`Open311Controller`):
/// - `POST /open311/v2/requests.json` takes a request with an API key an administrator issued
///   (`Open311Keys`) and makes it a work order of channel `open311` at the key's center (or a
///   center below it named by `jurisdiction_id`). A service code is a complaint category of the
///   dispatch directory (default kind: complaint) or a catalog item served there (default kind:
///   consultation); `attribute[kind]` may say otherwise (never a 举报, see `Open311.kinds`).
/// - `GET requests.json` and `GET requests/{id}.json` list the requests that came this way, as the
///   spec defines them; the service request id is the order's number. Nothing of the caller is in
///   them, and of the handling only the reply and the department answering for it.
/// Errors are the spec's: a list of `{code, description}`, the description in the client's language.
/// Data access: Fluent, a low-rate public interface.
enum Open311Requests {
    struct Created: Content {
        var serviceRequestID: String
        var serviceNotice: String
        var accountID: String?

        enum CodingKeys: String, CodingKey {
            case serviceRequestID = "service_request_id", serviceNotice = "service_notice", accountID = "account_id"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(serviceRequestID, forKey: .serviceRequestID)
            try c.encode(serviceNotice, forKey: .serviceNotice)
            try c.encode(accountID, forKey: .accountID)
        }
    }

    /// A request as `GET requests.json` gives it; the spec's nulls are written as nulls.
    struct Listed: Content {
        var serviceRequestID: String
        var status: String
        var statusNotes: String?
        var serviceName: String?
        var serviceCode: String
        var description: String?
        var agencyResponsible: String?
        var serviceNotice: String?
        var requestedDatetime: String
        var updatedDatetime: String?
        var expectedDatetime: String?
        var address: String?
        var addressID: String?
        var zipcode: String?
        var lat: Double?
        var long: Double?
        var mediaURL: String?

        enum CodingKeys: String, CodingKey {
            case serviceRequestID = "service_request_id", status, statusNotes = "status_notes", serviceName = "service_name"
            case serviceCode = "service_code", description, agencyResponsible = "agency_responsible", serviceNotice = "service_notice"
            case requestedDatetime = "requested_datetime", updatedDatetime = "updated_datetime"
            case expectedDatetime = "expected_datetime", address, addressID = "address_id", zipcode, lat, long
            case mediaURL = "media_url"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(serviceRequestID, forKey: .serviceRequestID)
            try c.encode(status, forKey: .status)
            try c.encode(statusNotes, forKey: .statusNotes)
            try c.encode(serviceName, forKey: .serviceName)
            try c.encode(serviceCode, forKey: .serviceCode)
            try c.encode(description, forKey: .description)
            try c.encode(agencyResponsible, forKey: .agencyResponsible)
            try c.encode(serviceNotice, forKey: .serviceNotice)
            try c.encode(requestedDatetime, forKey: .requestedDatetime)
            try c.encode(updatedDatetime, forKey: .updatedDatetime)
            try c.encode(expectedDatetime, forKey: .expectedDatetime)
            try c.encode(address, forKey: .address)
            try c.encode(addressID, forKey: .addressID)
            try c.encode(zipcode, forKey: .zipcode)
            try c.encode(lat, forKey: .lat)
            try c.encode(long, forKey: .long)
            try c.encode(mediaURL, forKey: .mediaURL)
        }
    }

    /// What `POST requests.json` takes, form-encoded as the spec has it (or JSON).
    struct Input: Content {
        var apiKey: String?
        var jurisdictionID: String?
        var serviceCode: String?
        var lat: String?
        var long: String?
        var addressString: String?
        var addressID: String?
        var email: String?
        var deviceID: String?
        var accountID: String?
        var firstName: String?
        var lastName: String?
        var phone: String?
        var description: String?
        var mediaURL: String?
        var attribute: [String: String]?

        enum CodingKeys: String, CodingKey {
            case apiKey = "api_key", jurisdictionID = "jurisdiction_id", serviceCode = "service_code", lat, long, addressString =
                "address_string", addressID = "address_id", email, deviceID = "device_id", accountID = "account_id", firstName =
                "first_name", lastName = "last_name", phone, description, mediaURL = "media_url", attribute
        }
    }

    struct ErrorEntry: Encodable {
        var code: Int
        var description: String
    }

    /// An answer the spec's way: a list of errors with an HTTP status.
    struct Failure: Error {
        var status: HTTPStatus
        var errors: [(field: String, code: String)]
    }

    static func register(_ r: any RoutesBuilder) {
        let v2 = r.grouped("open311", "v2")
        // Public at the door: the API key is the client's credential, checked by the handler.
        v2.endpoint(.POST, "requests.json", access: .public) { req in
            try await answer(req) { try await create(req) }
        }
        v2.endpoint(.GET, "requests.json", access: .public) { req in
            try await answer(req) { try await list(req) }
        }
        v2.endpoint(.GET, "requests", ":file", access: .public) { req in
            try await answer(req) {
                guard let file = req.parameters.get("file"), file.hasSuffix(".json") else {
                    throw Failure(status: .notFound, errors: [("service_request_id", "open311.notFound")])
                }
                let found = try await listed(numbers: [String(file.dropLast(5))], query: nil, jurisdiction: nil, req: req)
                guard !found.isEmpty else { throw Failure(status: .notFound, errors: [("service_request_id", "open311.notFound")]) }
                return found
            }
        }
    }

    static func answer<T: Encodable>(_ req: Request, _ body: () async throws -> T) async throws -> Response {
        do {
            return try json(try await body(), status: req.method == .POST ? .created : .ok)
        } catch let f as Failure {
            let lang = req.language
            return try json(
                f.errors.map {
                    ErrorEntry(
                        // Named as the spec names the parameter: the reader is a client's developer.
                        code: Int(f.status.code), description: req.application.catalog.text("error.\($0.code)", lang, ["field": $0.field]))
                },
                status: f.status)
        }
    }

    static func json<T: Encodable>(_ value: T, status: HTTPStatus) throws -> Response {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let response = Response(status: status, body: .init(data: try e.encode(value)))
        response.headers.replaceOrAdd(name: .contentType, value: "application/json; charset=utf-8")
        return response
    }

    // MARK: - POST requests.json

    /// The form's field names as the spec's parameters.
    static let fieldNames = [
        "callerPhone": "phone", "callerName": "first_name", "text": "description", "subject": "description",
        "address": "address_string", "anonymous": "phone", "kind": "attribute[kind]", "center": "jurisdiction_id",
    ]

    static func create(_ req: Request) async throws -> [Created] {
        let input = try? req.content.decode(Input.self)
        let rawKey = (input?.apiKey ?? req.query[String.self, at: "api_key"] ?? "").trimmingCharacters(in: .whitespaces)
        guard !rawKey.isEmpty, let key = try await Open311Keys.find(rawKey, on: req.db) else {
            throw Failure(status: .forbidden, errors: [("api_key", "open311.apiKey")])
        }
        guard let input else { throw Failure(status: .badRequest, errors: [("description", "required")]) }
        let checked: Open311.Checked
        switch Open311.check(
            .init(
                serviceCode: input.serviceCode, lat: input.lat, long: input.long, addressString: input.addressString,
                addressID: input.addressID, email: input.email, deviceID: input.deviceID, accountID: input.accountID,
                firstName: input.firstName, lastName: input.lastName, phone: input.phone, description: input.description,
                mediaURL: input.mediaURL, kind: input.attribute?["kind"]))
        {
        case .failure(let problems): throw Failure(status: .badRequest, errors: problems.list.map { ($0.field, $0.code) })
        case .success(let c): checked = c
        }
        let center = try await jurisdiction(input.jurisdictionID, key: key, req: req)
        guard let service = try await Open311Services.find(checked.serviceCode, center: center, req: req) else {
            throw Failure(status: .badRequest, errors: [("service_code", "open311.serviceCode")])
        }
        let kind = checked.kind ?? service.defaultKind
        let contact = checked.phone != nil || !checked.name.isEmpty || !checked.email.isEmpty
        var form = WorkOrderService.Input(
            center: center.uuidString, kind: kind.rawValue, callerName: checked.name, callerPhone: checked.phone,
            anonymous: !contact && !kind.needsReply, subject: service.name, text: checked.description, address: checked.address)
        form.itemID = service.itemID
        do {
            let (o, _) = try await WorkOrderService.create(
                form, channel: .open311,
                open311: .init(
                    serviceCode: checked.serviceCode, email: checked.email, mediaURL: checked.mediaURL, keyID: try key.requireID(),
                    lat: checked.lat, lon: checked.long),
                req: req)
            return [Created(serviceRequestID: o.number, serviceNotice: req.t("open311.notice"), accountID: nil)]
        } catch let v as ValidationFailure {
            throw Failure(status: .badRequest, errors: v.errors.map { (fieldNames[$0.field] ?? $0.field, $0.code) })
        }
    }

    /// The key's center, or a center below it named by its code.
    static func jurisdiction(_ raw: String?, key: Open311KeyModel, req: Request) async throws -> UUID {
        let code = (raw ?? "").trimmingCharacters(in: .whitespaces).uppercased()
        guard !code.isEmpty else { return key.centerID }
        let tree = try await req.application.centerTrees.tree(on: req.db)
        guard let node = tree.nodes.values.first(where: { $0.code == code }), tree.ancestry(node.id).contains(key.centerID) else {
            throw Failure(status: .badRequest, errors: [("jurisdiction_id", "open311.jurisdiction")])
        }
        return node.id
    }

    // MARK: - GET requests.json

    static func list(_ req: Request) async throws -> [Listed] {
        let q: Open311.Query
        switch Open311.query(
            ids: req.query["service_request_id"], serviceCodes: req.query["service_code"], status: req.query["status"],
            startDate: req.query["start_date"], endDate: req.query["end_date"], now: req.now)
        {
        case .failure(let problems): throw Failure(status: .badRequest, errors: problems.list.map { ($0.field, $0.code) })
        case .success(let v): q = v
        }
        var centers: [UUID]?
        if let raw = req.query[String.self, at: "jurisdiction_id"], !raw.isEmpty {
            let tree = try await req.application.centerTrees.tree(on: req.db)
            guard let node = tree.nodes.values.first(where: { $0.code == raw.uppercased() }) else {
                throw Failure(status: .badRequest, errors: [("jurisdiction_id", "open311.jurisdiction")])
            }
            centers = Array(tree.subtree(node.id))
        }
        return try await listed(numbers: q.ids, query: q, jurisdiction: centers, req: req)
    }

    /// The Open311 requests asked for: by number (the query's other filters then do not apply, as
    /// the spec has it), else by the query.
    static func listed(numbers: [String], query: Open311.Query?, jurisdiction: [UUID]?, req: Request) async throws -> [Listed] {
        var q = WorkOrderModel.query(on: req.db).filter(\.$channel == WorkOrderChannel.open311.rawValue)
        if !numbers.isEmpty {
            q = q.filter(\.$number ~~ numbers.map { $0.uppercased() })
        } else if let query {
            q = q.filter(\.$receivedAt >= HallClock.millis(query.start)).filter(\.$receivedAt <= HallClock.millis(query.end))
            if !query.serviceCodes.isEmpty { q = q.filter(\.$serviceCode ~~ query.serviceCodes) }
            if query.statuses == ["closed"] { q = q.filter(\.$state == WorkOrderState.closed.rawValue) }
            if query.statuses == ["open"] { q = q.filter(\.$state != WorkOrderState.closed.rawValue) }
        }
        if let jurisdiction { q = q.filter(\.$centerID ~~ jurisdiction) }
        let orders = try await q.sort(\.$receivedAt, .descending).limit(Open311.Query.maxResults).all()
        guard !orders.isEmpty else { return [] }
        // A merged request follows its primary: the primary's state, reply and department.
        let primaryIDs = Set(orders.compactMap(\.mergedInto))
        let primaries = Dictionary(
            uniqueKeysWithValues: try await WorkOrderModel.query(on: req.db).filter(\.$id ~~ Array(primaryIDs)).all().map { ($0.id!, $0) })
        let ids = orders.compactMap(\.id) + Array(primaryIDs)
        let updated = try await lastSteps(ids, on: req.db)
        let departments = try await WorkOrderPages.departmentNames(
            (orders + primaries.values).compactMap(\.departmentID), on: req.db)
        let names = try await Open311Services.names(Set(orders.map(\.serviceCode)), req: req)
        func time(_ millis: Int64?) -> String? {
            millis.map { Open311.stamp(Date(timeIntervalSince1970: Double($0) / 1000), zone: HallClock.zone) }
        }
        return orders.map { o in
            let handled = o.mergedInto.flatMap { primaries[$0] } ?? o
            let reply = handled.reply.isEmpty ? nil : handled.reply
            return Listed(
                serviceRequestID: o.number, status: Open311.status(handled.stateValue), statusNotes: reply,
                serviceName: names[o.serviceCode],
                serviceCode: o.serviceCode, description: o.text, agencyResponsible: handled.departmentID.flatMap { departments[$0] },
                serviceNotice: nil, requestedDatetime: time(o.receivedAt) ?? "",
                updatedDatetime: time(updated[handled.id!] ?? o.receivedAt),
                expectedDatetime: time(handled.dueAt), address: o.address.isEmpty ? nil : o.address, addressID: nil, zipcode: nil,
                lat: o.lat, long: o.lon, mediaURL: o.mediaURL.isEmpty ? nil : o.mediaURL)
        }
    }

    /// When each order last had a step taken.
    static func lastSteps(_ ids: [UUID], on db: any Database) async throws -> [UUID: Int64] {
        struct Row: Decodable {
            var orderID: UUID
            var at: Int64
            enum CodingKeys: String, CodingKey { case orderID = "order_id", at }
        }
        guard !ids.isEmpty else { return [:] }
        let sql = try SQLRows.sql(db)
        var out: [UUID: Int64] = [:]
        for chunk in stride(from: 0, to: ids.count, by: 500) {
            let part = Array(ids[chunk..<min(chunk + 500, ids.count)])
            let rows = try await sql.select().column("order_id").column(SQLFunction("MAX", args: SQLColumn("at")), as: "at")
                .from("work_order_events").where("order_id", .in, part).groupBy("order_id").all(decoding: Row.self)
            for r in rows { out[r.orderID] = r.at }
        }
        return out
    }
}

import Fluent
import Foundation
import OneStopCore
import Vapor

/// A work order's attachments (issue 20): PDF, JPEG or PNG, recognised by their content
/// (`CaseUpload.check`), at most 10 MB each and `maxPerOrder` to an order. Sent with the public
/// form, or added by whoever may see the order (the hotline, an administrator, the handling
/// department); read by the same people. The department sees a confidential order's files too:
/// they are the evidence it must handle, and a caller who must stay hidden is told not to sign
/// them (the public form says so). Data access: Fluent, low rate.
enum WorkOrderAttachments {
    static let maxPerOrder = 5

    struct AttachmentDTO: Content {
        var id: UUID
        var filename: String
        var contentType: String
        var size: Int
        var addedBy: String
        var addedAt: Date
    }

    static func dto(_ m: WorkOrderAttachmentModel) -> AttachmentDTO {
        AttachmentDTO(
            id: m.id!, filename: m.filename, contentType: m.contentType, size: m.size, addedBy: m.addedBy,
            addedAt: Date(timeIntervalSince1970: Double(m.addedAt) / 1000))
    }

    /// Files checked before anything is written: every bad one named (`attachments.N`).
    static func checked(_ files: [(name: String, bytes: [UInt8])], already: Int) throws -> [(CaseUpload.Checked, [UInt8])] {
        var errors: [FieldError] = []
        var out: [(CaseUpload.Checked, [UInt8])] = []
        for (i, f) in files.enumerated() {
            switch CaseUpload.check(f.bytes, filename: f.name, field: "attachments.\(i + 1)") {
            case .failure(let e): errors.append(e)
            case .success(let c): out.append((c, f.bytes))
            }
        }
        if already + files.count > maxPerOrder { errors.append(FieldError("attachments", "workOrder.tooManyFiles")) }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        return out
    }

    /// Adds checked files to an order in the caller's transaction, with their audit events (the
    /// name and size; nothing of the caller).
    static func add(
        _ files: [(CaseUpload.Checked, [UInt8])], to order: WorkOrderModel, by actor: String, at millis: Int64, on db: any Database
    ) async throws -> ([WorkOrderAttachmentModel], [AuditEvent]) {
        var made: [WorkOrderAttachmentModel] = []
        var events: [AuditEvent] = []
        for (c, bytes) in files {
            let m = WorkOrderAttachmentModel()
            m.id = UUID.timeOrdered()
            m.orderID = try order.requireID()
            m.filename = c.filename
            m.contentType = c.contentType
            m.size = c.size
            m.data = Data(bytes)
            m.addedBy = actor
            m.addedAt = millis
            try await m.create(on: db)
            made.append(m)
            events.append(
                AuditEvent(
                    "workOrder.attach", "work_order", id: order.id, center: order.centerID,
                    detail: ["number": order.number, "file": c.filename, "size": String(c.size)]))
        }
        return (made, events)
    }

    /// Adds files to an order the caller may see.
    static func attach(_ files: [(name: String, bytes: [UInt8])], order id: UUID, req: Request) async throws -> [WorkOrderAttachmentModel] {
        let p = try req.requirePrincipal()
        let order = try await WorkOrderService.visible(id, req: req)
        let already = try await WorkOrderAttachmentModel.query(on: req.db).filter(\.$orderID == id).count()
        let good = try checked(files, already: already)
        let millis = HallClock.millis(req.now)
        return try await req.audited { db in try await add(good, to: order, by: p.displayName, at: millis, on: db) }
    }

    static func list(_ order: UUID, on db: any Database) async throws -> [WorkOrderAttachmentModel] {
        // The files' bytes are not read for a list.
        try await WorkOrderAttachmentModel.query(on: db).filter(\.$orderID == order).sort(\.$addedAt).sort(\.$id)
            .field(\.$id).field(\.$orderID).field(\.$filename).field(\.$contentType).field(\.$size).field(\.$addedBy).field(\.$addedAt)
            .all()
    }

    /// One file, to whoever may see its order, as a download.
    static func download(_ req: Request) async throws -> Response {
        let order = try req.uuid("id")
        _ = try await WorkOrderService.visible(order, req: req)
        guard let m = try await WorkOrderAttachmentModel.find(try req.uuid("file"), on: req.db), m.orderID == order else {
            throw Abort(.notFound)
        }
        let response = Response(status: .ok, body: .init(data: m.data))
        response.headers.replaceOrAdd(name: .contentType, value: m.contentType)
        let ascii = m.filename.unicodeScalars.allSatisfy { $0.isASCII && $0 != "\"" } ? m.filename : "attachment"
        let encoded = m.filename.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ascii
        response.headers.replaceOrAdd(
            name: .contentDisposition, value: "attachment; filename=\"\(ascii)\"; filename*=UTF-8''\(encoded)")
        response.headers.replaceOrAdd(name: .cacheControl, value: "private, no-store")
        return response
    }

    static func register(api: any RoutesBuilder, pages app: any RoutesBuilder) {
        api.endpoint(
            .POST, "work-orders", ":id", "attachments", access: WorkOrderService.viewers,
            operation: .init(
                id: "addWorkOrderAttachment",
                summary: "Attach a file to a work order (PDF, JPEG or PNG by its content, at most 10 MB; at most 5 to an order)",
                tag: "Work orders", request: "WorkOrderFile", response: "WorkOrderAttachment",
                query: [.init(name: "filename", type: "string", required: true, description: "the file's name")], successStatus: 201),
            body: .collect(maxSize: "11mb")
        ) { req in
            let bytes = req.body.data.map { Array($0.readableBytesView) } ?? []
            let made = try await attach(
                [(req.query[String.self, at: "filename"] ?? "attachment", bytes)], order: try req.uuid("id"), req: req)
            return try await OrgAPIController.created(dto(made[0]), req)
        }
        api.endpoint(
            .GET, "work-orders", ":id", "attachments", access: WorkOrderService.viewers,
            operation: .init(
                id: "listWorkOrderAttachments", summary: "A work order's attached files", tag: "Work orders",
                response: "WorkOrderAttachment", responseIsList: true)
        ) { req in
            let id = try req.uuid("id")
            _ = try await WorkOrderService.visible(id, req: req)
            return try await list(id, on: req.db).map(dto)
        }
        app.endpoint(.GET, "work-orders", ":id", "attachments", ":file", access: WorkOrderService.viewers) { req in
            try await download(req)
        }
        app.endpoint(.POST, "work-orders", ":id", "attachments", access: WorkOrderService.viewers, body: .collect(maxSize: "52mb")) {
            req -> Response in
            struct Upload: Content { var files: [File]? }
            let files = (try? req.content.decode(Upload.self).files) ?? []
            let id = try req.uuid("id")
            do {
                let sent = files.filter { $0.data.readableBytes > 0 }
                guard !sent.isEmpty else { throw ValidationFailure([FieldError("attachments", "file.empty")]) }
                _ = try await attach(sent.map { ($0.filename, Array($0.data.readableBytesView)) }, order: id, req: req)
                req.flash(req.t("workOrder.attached", "n", String(sent.count)))
                return req.redirect(to: "/work-orders/\(id)#attachments")
            } catch let v as ValidationFailure {
                return try await WorkOrderPages.detail(
                    req, errors: v.errors.map { req.application.catalog.fieldMessage($0, req.language) }, status: .unprocessableEntity)
            }
        }
    }

    static let schemas: [String: JSONValue] = [
        "WorkOrderFile": [
            "type": "string", "contentMediaType": "application/octet-stream",
            "description": "the file's bytes: PDF, JPEG or PNG (checked by content), at most 10 MB",
        ],
        "WorkOrderAttachment": OpenAPISchemas.object([
            "id": OpenAPISchemas.uuid, "filename": OpenAPISchemas.string, "contentType": OpenAPISchemas.string,
            "size": OpenAPISchemas.integer, "addedBy": OpenAPISchemas.string, "addedAt": OpenAPISchemas.dateTime,
        ]),
    ]
}

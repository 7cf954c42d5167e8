import Foundation
import OneStopCore
import Vapor

/// Open311 GeoReport v2: discovery and the service list — the published items, and the complaint
/// categories of the dispatch directory (`Open311Services`) — so civic-tech clients can read the
/// catalog and know what to send to `requests.json` (`Open311Requests`). `jurisdiction_id` is a
/// center code.
enum Open311Controller {
    struct Service: Content {
        var serviceCode: String
        var serviceName: String
        var description: String
        var metadata: Bool
        var type: String
        var keywords: String
        var group: String

        enum CodingKeys: String, CodingKey {
            case serviceCode = "service_code", serviceName = "service_name", description, metadata, type, keywords, group
        }
    }

    struct Attribute: Codable {
        struct Value: Codable {
            var key: String
            var name: String
        }
        var variable: Bool
        var code: String
        var datatype: String
        var required: Bool
        var datatypeDescription: String
        var order: Int
        var description: String
        /// A `singlevaluelist`'s choices.
        var values: [Value]? = nil

        enum CodingKeys: String, CodingKey {
            case variable, code, datatype, required, datatypeDescription = "datatype_description", order, description, values
        }
    }

    struct Definition: Content {
        var serviceCode: String
        var attributes: [Attribute]

        enum CodingKeys: String, CodingKey {
            case serviceCode = "service_code", attributes
        }
    }

    static func register(_ r: any RoutesBuilder) {
        let v2 = r.grouped("open311", "v2")
        v2.endpoint(.GET, "discovery.json", access: .public) { req -> Response in
            let base = "http://\(req.headers.first(name: .host) ?? "127.0.0.1")/open311/v2/"
            let body: [String: JSONValue] = [
                "changeset": .string(ISO8601DateFormatter().string(from: req.now)),
                "contact": "OneStop service catalog",
                "key_service": "",
                "endpoints": [
                    [
                        "specification": "http://wiki.open311.org/GeoReport_v2", "url": .string(base),
                        "changeset": .string(ISO8601DateFormatter().string(from: req.now)),
                        "type": "production", "formats": ["application/json", "text/xml"],
                    ]
                ],
            ]
            let response = Response(status: .ok, body: .init(data: try JSONEncoder().encode(JSONValue.object(body))))
            response.headers.replaceOrAdd(name: .contentType, value: "application/json; charset=utf-8")
            return response
        }
        v2.endpoint(.GET, "services.json", access: .public) { req in try await list(req) }
        v2.endpoint(.GET, "services.xml", access: .public) { req -> Response in
            var xml = "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<services>\n"
            for s in try await list(req) {
                xml += "  <service>\n"
                for (k, v) in [
                    ("service_code", s.serviceCode), ("service_name", s.serviceName), ("description", s.description),
                    ("metadata", String(s.metadata)), ("type", s.type), ("keywords", s.keywords), ("group", s.group),
                ] {
                    xml += "    <\(k)>\(escape(v))</\(k)>\n"
                }
                xml += "  </service>\n"
            }
            xml += "</services>\n"
            let response = Response(status: .ok, body: .init(string: xml))
            response.headers.replaceOrAdd(name: .contentType, value: "text/xml; charset=utf-8")
            return response
        }
        // `/services/{code}.json`: the materials as informational attributes (variable = false).
        v2.endpoint(.GET, "services", ":file", access: .public) { req -> Definition in
            guard let file = req.parameters.get("file"), file.hasSuffix(".json") else { throw Abort(.notFound) }
            let code = String(file.dropLast(5))
            if try await Open311Services.categories(center: nil, req: req).contains(where: { $0.code == code }) {
                return Definition(serviceCode: code, attributes: [kindAttribute(req, default: .complaint)])
            }
            guard let item = try await req.catalog().item(code: code) else { throw Abort(.notFound) }
            return Definition(
                serviceCode: item.guide.code,
                attributes: item.guide.materials.enumerated().map { i, m in
                    Attribute(
                        variable: false, code: "material_\(i + 1)", datatype: "text", required: m.need == .required,
                        datatypeDescription: "\(m.form.chineseName) \(m.copies) 份", order: i + 1,
                        description: m.name + (m.condition.map { "（\($0)）" } ?? ""))
                } + [kindAttribute(req, default: .consultation, order: item.guide.materials.count + 1)])
        }
    }

    /// `attribute[kind]`: what the request is (投诉, 咨询…), a choice the client may make.
    static func kindAttribute(_ req: Request, default kind: WorkOrderKind, order: Int = 1) -> Attribute {
        Attribute(
            variable: true, code: "kind", datatype: "singlevaluelist", required: false,
            datatypeDescription: req.t("open311.kindDefault", "kind", req.t("workOrder.kind.\(kind.rawValue)")), order: order,
            description: req.t("open311.kind"),
            values: Open311.kinds.map { .init(key: $0.rawValue, name: req.t("workOrder.kind.\($0.rawValue)")) })
    }

    static func list(_ req: Request) async throws -> [Service] {
        let snapshot = try await req.catalog()
        var items = Array(snapshot.items.values)
        var center: UUID?
        if let j = req.query[String.self, at: "jurisdiction_id"], !j.isEmpty {
            let c = try PublicCenter.find(j, in: snapshot)
            items = items.filter { $0.centers.contains(c.id) }
            center = c.id
        }
        let categories = try await Open311Services.categories(center: center, req: req).map { c in
            Service(
                serviceCode: c.code, serviceName: c.name, description: "\(c.name)（\(c.department)）", metadata: true, type: "realtime",
                keywords: c.keywords.joined(separator: ","), group: Open311Services.categoryGroup)
        }
        return categories
            + items.sorted { $0.guide.code < $1.guide.code }.map { i in
                let g = i.guide
                return Service(
                    serviceCode: g.code, serviceName: g.name,
                    description: "\(g.caseType.chineseName)，承诺时限 \(g.promisedDays) 个工作日（法定 \(g.legalDays)），\(g.fee.free ? "不收费" : "收费")",
                    metadata: true, type: "batch", keywords: g.keywords.joined(separator: ","), group: i.departmentName)
            }
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(
            of: ">", with: "&gt;"
        )
        .replacingOccurrences(of: "\"", with: "&quot;")
    }
}

import Foundation
import OneStopCore
import Vapor

/// `/openapi.json`, generated from the routes themselves so that the document and the server
/// cannot drift apart: every `/api` route carries its `APIOperation`.
enum OpenAPIDocument {
    static func build(routes: [Route]) -> JSONValue {
        var paths: [String: [String: JSONValue]] = [:]
        for route in routes {
            guard let op = route.operation else { continue }
            let path =
                "/"
                + route.path.map { c -> String in
                    if case .parameter(let name) = c { return "{\(name)}" }
                    return c.description
                }.joined(separator: "/")
            var parameters: [JSONValue] = route.path.compactMap { c in
                guard case .parameter(let name) = c else { return nil }
                return ["name": .string(name), "in": "path", "required": true, "schema": ["type": "string"]]
            }
            parameters += op.query.map { q in
                var schema: JSONValue = ["type": .string(q.type)]
                if let format = q.format { schema = ["type": .string(q.type), "format": .string(format)] }
                return [
                    "name": .string(q.name), "in": "query", "required": .bool(q.required),
                    "description": .string(q.description), "schema": schema,
                ]
            }
            var operation: [String: JSONValue] = [
                "operationId": .string(op.id), "summary": .string(op.summary), "tags": [.string(op.tag)],
                "x-roles": accessRoles(route.access),
            ]
            if !parameters.isEmpty { operation["parameters"] = .array(parameters) }
            if let request = op.request {
                let media: [String] =
                    switch request {
                    case "CalendarFile": ["text/csv", "text/calendar"]
                    case "PhoneCDR": ["text/csv"]
                    case "StaffPhoto": ["image/jpeg", "image/png"]
                    case "TemplateFile": ["application/octet-stream", "application/pdf", "image/jpeg", "image/png"]
                    case "WorkOrderFile": ["application/octet-stream", "application/pdf", "image/jpeg", "image/png"]
                    default: ["application/json"]
                    }
                let content = Dictionary(uniqueKeysWithValues: media.map { ($0, ["schema": ref(request)] as JSONValue) })
                operation["requestBody"] = ["required": true, "content": .object(content)]
            }
            var responses: [String: JSONValue] = [:]
            if let response = op.response {
                let schema: JSONValue = op.responseIsList ? ["type": "array", "items": ref(response)] : ref(response)
                responses[String(op.successStatus)] = ["description": "OK", "content": ["application/json": ["schema": schema]]]
            } else {
                responses[String(op.successStatus)] = ["description": "Done"]
            }
            let problem: JSONValue = ["description": "Problem", "content": ["application/problem+json": ["schema": ref("Problem")]]]
            responses["default"] = problem
            operation["responses"] = .object(responses)
            if case .roles = route.access { operation["security"] = [["bearer": []]] } else { operation["security"] = [] }
            paths[path, default: [:]][route.method.rawValue.lowercased()] = .object(operation)
        }
        return [
            "openapi": "3.1.0",
            "info": [
                "title": "OneStop API", "version": "1.0.0",
                "description": "政务服务中心 platform. Errors are RFC 9457 problem details listing every invalid field.",
            ],
            "servers": [["url": "/"]],
            "paths": .object(paths.mapValues { .object($0) }),
            "components": [
                "schemas": .object(
                    OpenAPISchemas.all.merging(CaseSchemas.all) { a, _ in a }.merging(RatingAPIController.schemas) { a, _ in a }.merging(
                        WorkOrderAPIController.schemas
                    ) { a, _ in a }.merging(PhoneRegisterRoutes.schemas) { a, _ in a }.merging(Open311Keys.schemas) { a, _ in a }.merging(
                        WorkOrderAttachments.schemas
                    ) { a, _ in a }.merging(IndicatorRoutes.schemas) { a, _ in a }.merging(
                        AssessmentRoutes.schemas
                    ) { a, _ in a }.merging(AwardRoutes.schemas) { a, _ in a }.merging(
                        CommitmentRoutes.schemas
                    ) { a, _ in a }.merging(
                        StarRatingRoutes.schemas
                    ) { a, _ in a }.merging(OutsideEvaluation.schemas) { a, _ in a }
                        .merging(BrandRoutes.schemas) { a, _ in a }
                        .merging(BrandCampaignService.schemas) { a, _ in a }
                        .merging(BrandReportService.schemas) { a, _ in a }.merging(BrandFiles.schemas) { a, _ in a }
                        .merging(BrandNotices.schemas) { a, _ in a }.merging(BrandInspectionService.schemas) { a, _ in a }
                        .merging(BrandSelectionRoutes.schemas) { a, _ in a }
                        .merging(BrandEvidenceService.schemas) { a, _ in a }
                        .merging(DutyService.schemas) { a, _ in a }.merging(PatrolService.schemas) { a, _ in a }
                        .merging(WindowStaffService.schemas) { a, _ in a }.merging(LeaveService.schemas) { a, _ in a }
                        .merging(ConductService.schemas) { a, _ in a }.merging(HallRulesService.schemas) { a, _ in a }
                        .merging(AdmissionService.schemas) { a, _ in a }.merging(HomeVisitService.schemas) { a, _ in a }
                        .merging(ExtendedHoursService.schemas) { a, _ in a }),
                "securitySchemes": ["bearer": ["type": "http", "scheme": "bearer"]],
            ],
        ]
    }

    static func ref(_ name: String) -> JSONValue { ["$ref": .string("#/components/schemas/\(name)")] }

    static func accessRoles(_ access: Access?) -> JSONValue {
        switch access {
        case .roles(let set): .array(set.map(\.rawValue).sorted().map { .string($0) })
        default: ["public"]
        }
    }
}

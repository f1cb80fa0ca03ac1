package streaming

// PlannedResources is what the API's routes were planned to add, by
// CloudFormation type, for tests that compare it with the template.
func PlannedResources(a *StreamingRestApi) map[string]int { return a.planner.api }

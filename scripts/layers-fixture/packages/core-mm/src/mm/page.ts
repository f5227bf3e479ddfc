export interface Page { pfn: number }

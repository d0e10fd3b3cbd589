"""Review: drafts and their queue, the approval policy, publishing, promises and previews."""

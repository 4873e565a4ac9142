"""The landlord's vocabularies: what tenure, age band, gender, ethnicity, disability, language and area may say."""

"""VCF/BCF input: reading (cyvcf2), header checks, genotypes, INFO annotations, loading."""

"""Language tools that know nothing of the knowledge: normalising, stemming, stop words."""

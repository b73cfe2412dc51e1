# Summaries of survey responses.
library(dplyr)
require("ggplot2")
source("helpers.R")

MAX_SCORE <- 10
default_groups = c("control", "treatment")

#' Mean score of each group.
#' @param data A data frame of responses.
group_means <- function(data, by = "group", na.rm = TRUE) {
  data %>%
    group_by(.data[[by]]) %>%
    summarise(mean = mean(score, na.rm = na.rm))
}

normalise <- function(scores, ...) {
  scores / MAX_SCORE
}

# An S4 class for one respondent.
setClass("Respondent", representation(id = "numeric", score = "numeric"))

setGeneric("describe", function(x) standardGeneric("describe"))

setMethod("describe", "Respondent", function(x) {
  sprintf("Respondent %d scored %.1f", x@id, x@score)
})

# A reference class that counts responses.
Counter <- setRefClass("Counter",
  fields = list(count = "numeric"),
  methods = list(
    add = function(n = 1) {
      count <<- count + n
      invisible(.self)
    }
  )
)

summarise_all <- function(responses) {
  scaled <- lapply(responses, function(r) normalise(r$score))
  squares <- vapply(scaled, \(s) s^2, numeric(1))
  list(total = sum(unlist(scaled)), spread = sqrt(mean(squares)))
}

plot_scores <- function(data) ggplot(data, aes(x = score)) + geom_histogram()
